using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace Memshare.TestChild;

/// <summary>
/// Processes for the multi-process tests of the synchronization primitives (tests/Memshare.Tests/Sync):
/// validating readers, a large-value writer, lock holders and contenders, concurrent updaters, and a
/// Dispose-versus-Acquire race. Every loop is bounded by a deadline (the box has two cores) and most stop early
/// on "stop" or end of stdin. Results are single lines of KEY=VALUE pairs.
/// </summary>
internal static class SyncScenarios
{
    private static volatile bool s_stop;

    /// <summary>Runs the scenario named by <paramref name="args"/>[0] if it is one of these.</summary>
    public static bool TryRun(string[] args, out int exitCode)
    {
        exitCode = args[0] switch
        {
            "sync-repl" => SyncRepl.Run(),
            "value-reader" => ValueReader(args[1..]),
            "kilo-writer" => KiloWriter(args[1..]),
            "lock-holder" => LockHolder(args[1..]),
            "lock-contender" => LockContender(args[1..]),
            "value-updater" => ValueUpdater(args[1..]),
            "lock-dispose-race" => LockDisposeRace(args[1..]),
            _ => -1,
        };
        return exitCode != -1;
    }

    /// <summary>
    /// Arguments: octet|kilo NAME MINREADS MINCHANGES SECONDS. Reads the value in a tight loop, validating every
    /// read, until it has made MINREADS reads and seen MINCHANGES version changes (0 and 0: until "stop"), or the
    /// deadline. Prints "ready" first, then
    /// "done reads=R torn=T changes=C regressions=G last=K last-consistent=True|False first-torn=...".
    /// </summary>
    private static int ValueReader(string[] args)
    {
        string kind = args[0];
        string name = args[1];
        long minReads = long.Parse(args[2], CultureInfo.InvariantCulture);
        long minChanges = long.Parse(args[3], CultureInfo.InvariantCulture);
        TimeSpan limit = Seconds(args[4]);
        WatchStdin();
        if (kind == "octet")
        {
            using SharedValue<Octet> value = SharedValue<Octet>.OpenExisting(name, SharedMemoryOptions.ReadOnly);
            return ReadLoop(value, minReads, minChanges, limit, static v => v.IsConsistent, static v => v.A, static v => v.ToString());
        }

        using SharedValue<Kilo> big = SharedValue<Kilo>.OpenExisting(name, SharedMemoryOptions.ReadOnly);
        return ReadLoop(big, minReads, minChanges, limit, static v => v.IsConsistent, static v => v.First, static v => v.Describe());
    }

    private static int ReadLoop<T>(SharedValue<T> value, long minReads, long minChanges, TimeSpan limit,
        Func<T, bool> consistent, Func<T, long> version, Func<T, string> describe)
        where T : unmanaged
    {
        bool untilStop = minReads == 0 && minChanges == 0;
        Console.WriteLine("ready");
        long start = Stopwatch.GetTimestamp();
        long reads = 0, torn = 0, changes = 0, regressions = 0;
        long previous = long.MinValue;
        string firstTorn = "none";
        while (untilStop ? !s_stop : reads < minReads || changes < minChanges)
        {
            T v = value.Read();
            reads++;
            if (!consistent(v))
            {
                if (torn++ == 0)
                {
                    firstTorn = describe(v).Replace(' ', '_');
                }
            }
            else
            {
                long k = version(v);
                if (k != previous)
                {
                    changes++;
                    if (k < previous)
                    {
                        regressions++;
                    }

                    previous = k;
                }
            }

            if ((reads & 1023) == 0 && (s_stop || Stopwatch.GetElapsedTime(start) > limit))
            {
                break;
            }
        }

        T last = value.Read();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"done reads={reads} torn={torn} changes={changes} regressions={regressions} last={version(last)} last-consistent={consistent(last)} first-torn={firstTorn}"));
        return 0;
    }

    /// <summary>
    /// Arguments: NAME SECONDS [write|update]. Writes <see cref="Kilo.Of"/>(k) in a tight loop, continuing after the
    /// version the value holds, through Write (default) or through Update (k = the current value's + 1, read under
    /// the writer lock). Prints "ready K" after the first write (which may have to recover the writer lock from a
    /// killed predecessor) and "done COUNT" at the end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // optimised from the first write: no on-stack replacement pause
    private static unsafe int KiloWriter(string[] args)
    {
        using SharedValue<Kilo> value = SharedValue<Kilo>.OpenExisting(args[0]);
        TimeSpan limit = Seconds(args[1]);
        bool update = args.Length > 2 && args[2] == "update";
        Kilo now = value.Read();
        if (!now.IsConsistent)
        {
            Console.WriteLine("torn-at-start " + now.Describe());
            return 3;
        }

        WatchStdin();
        long start = Stopwatch.GetTimestamp();
        long count = 0;
        Kilo next = default;
        for (long k = now.First + 1; ; k++)
        {
            if (update)
            {
                // All of it under the writer lock: read the current value, refill it, publish.
                k = value.Update(static (ref Kilo v) => new Span<long>(Unsafe.AsPointer(ref v), Kilo.Count).Fill(v.First + 1)).First;
            }
            else
            {
                // Filled in place, so that as little time as possible is spent outside Write.
                new Span<long>(next.Items, Kilo.Count).Fill(k);
                value.Write(next);
            }

            if (++count == 1)
            {
                Console.WriteLine("ready " + k.ToString(CultureInfo.InvariantCulture));
            }

            if ((count & 255) == 0 && (s_stop || Stopwatch.GetElapsedTime(start) > limit))
            {
                break;
            }
        }

        Console.WriteLine("done " + count.ToString(CultureInfo.InvariantCulture));
        return 0;
    }

    /// <summary>
    /// Arguments: LOCK COUNTER. Prints "ready", acquires the lock (30 s at most), enters the critical section
    /// guarded by the int at offset 0 of the raw region COUNTER (see <see cref="Enter"/>), prints
    /// "held died=True|False recoveries=R entry=ok|bad:N", and waits to be killed while holding the lock.
    /// At end of stdin it leaves the critical section and releases.
    /// </summary>
    private static int LockHolder(string[] args)
    {
        using SharedLock sharedLock = SharedLock.OpenExisting(args[0]);
        using SharedMemory counter = SharedMemory.OpenExisting(args[1]);
        ref int inside = ref counter.AsRef<int>(0);
        Console.WriteLine("ready");
        using SharedLockGuard guard = sharedLock.Acquire(TimeSpan.FromSeconds(30));
        int entry = Enter(ref inside, guard.PreviousOwnerDied);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"held died={guard.PreviousOwnerDied} recoveries={sharedLock.Recoveries} entry={(entry == 0 ? "ok" : "bad:" + entry)}"));
        Console.ReadLine();
        Interlocked.Decrement(ref inside);
        return 0;
    }

    /// <summary>
    /// Arguments: LOCK COUNTER SECONDS. Acquires and releases the lock in a loop until "stop" or the deadline.
    /// Inside, checks that it is alone (<see cref="Enter"/>) and that the lock names it as owner. Prints "ready",
    /// then "died R" each time it took the lock over from a dead owner (R = the lock's Recoveries, read while
    /// holding it), and at the end "done iterations=N violations=V timeouts=T".
    /// </summary>
    private static int LockContender(string[] args)
    {
        using SharedLock sharedLock = SharedLock.OpenExisting(args[0]);
        using SharedMemory counter = SharedMemory.OpenExisting(args[1]);
        TimeSpan limit = Seconds(args[2]);
        ref int inside = ref counter.AsRef<int>(0);
        var random = new Random(Environment.ProcessId);
        WatchStdin();
        Console.WriteLine("ready");
        long start = Stopwatch.GetTimestamp();
        long iterations = 0, violations = 0, timeouts = 0;
        while (!s_stop && Stopwatch.GetElapsedTime(start) < limit)
        {
            SharedLockGuard guard;
            try
            {
                guard = sharedLock.Acquire(TimeSpan.FromSeconds(20));
            }
            catch (TimeoutException)
            {
                timeouts++;
                continue;
            }

            using (guard)
            {
                iterations++;
                if (guard.PreviousOwnerDied)
                {
                    Console.WriteLine("died " + sharedLock.Recoveries.ToString(CultureInfo.InvariantCulture));
                }

                if (Enter(ref inside, guard.PreviousOwnerDied) != 0)
                {
                    violations++;
                }

                if (sharedLock.OwnerProcessId != Environment.ProcessId)
                {
                    violations++;
                }

                Thread.SpinWait(random.Next(1, 200)); // a critical section of a few microseconds at most
                if (Interlocked.Decrement(ref inside) != 0)
                {
                    violations++;
                }
            }

            // Now and then let the others in; hammering without pause could starve the holder being started.
            if ((iterations & 63) == 0)
            {
                Thread.Sleep(1);
            }
            else
            {
                Thread.Yield();
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"done iterations={iterations} violations={violations} timeouts={timeouts}"));
        return 0;
    }

    /// <summary>
    /// Enters the critical section counted by <paramref name="inside"/>: 0 if this process was alone as it should
    /// be, else the count it found. After a dead owner (who entered and never left) the count is 1; the recovery
    /// removes the dead owner's entry.
    /// </summary>
    private static int Enter(ref int inside, bool previousOwnerDied)
    {
        int before = Interlocked.Increment(ref inside) - 1;
        if (previousOwnerDied)
        {
            Interlocked.Decrement(ref inside);
            return before == 1 ? 0 : before;
        }

        return before;
    }

    /// <summary>
    /// Arguments: NAME COUNT GATE. Opens a SharedValue&lt;Octet&gt;, prints "ready", waits for "go", then calls Update
    /// in a loop, each adding one to every field. An update "interleaved" if it found that another process had
    /// updated since this one's previous update. It makes at least COUNT updates, and goes on (5 s at most) until
    /// it has seen 100 interleaved or another updater has finished (the int at offset 0 of the raw region GATE
    /// counts finished updaters): so two updaters surely overlap, even on a busy machine. Prints
    /// "done updates=U interleaved=I".
    /// </summary>
    private static int ValueUpdater(string[] args)
    {
        using SharedValue<Octet> value = SharedValue<Octet>.OpenExisting(args[0]);
        long count = long.Parse(args[1], CultureInfo.InvariantCulture);
        using SharedMemory gate = SharedMemory.OpenExisting(args[2]);
        ref int finished = ref gate.AsRef<int>(0);
        Console.WriteLine("ready");
        if (Console.ReadLine() != "go")
        {
            return 2;
        }

        long start = Stopwatch.GetTimestamp();
        long updates = 0, interleaved = 0;
        long previous = long.MinValue;
        while (updates < count
            || (interleaved < 100 && Volatile.Read(ref finished) == 0 && Stopwatch.GetElapsedTime(start) < TimeSpan.FromSeconds(5)))
        {
            long now = value.Update(static (ref Octet v) => v = Octet.Of(v.A + 1)).A;
            if (now != previous + 1 && updates > 0)
            {
                interleaved++;
            }

            previous = now;
            updates++;
        }

        Interlocked.Increment(ref finished);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"done updates={updates} interleaved={interleaved}"));
        return 0;
    }

    /// <summary>
    /// Arguments: NAME ROUNDS [fast|blocked]. Per round, opens a second handle to the lock NAME and disposes it on the main thread
    /// while another thread uses it. Even rounds: that thread acquires and releases as fast as it can. Odd rounds:
    /// the first handle holds the lock, that thread sleeps in Acquire, and the main thread releases and disposes at
    /// nearly the same moment. The using thread must end with <see cref="ObjectDisposedException"/> (or, in odd
    /// rounds, get the lock before the Dispose and release it); the process must not crash; the lock must be free
    /// afterwards. Prints "done rounds=N held-after=H unexpected=U". With a third argument, only rounds of that kind.
    /// </summary>
    private static int LockDisposeRace(string[] args)
    {
        string name = args[0];
        int rounds = int.Parse(args[1], CultureInfo.InvariantCulture);
        using SharedLock observer = SharedLock.OpenExisting(name);
        using SharedMemory raw = SharedMemory.OpenExisting(name);
        var random = new Random(Environment.ProcessId);
        long heldAfter = 0, unexpected = 0;
        for (int r = 0; r < rounds; r++)
        {
            bool blocked = args.Length > 2 ? args[2] == "blocked" : (r & 1) == 1;
            SharedLockGuard held = blocked ? observer.Acquire(TimeSpan.FromSeconds(10)) : default;
            var handle = SharedLock.OpenExisting(name);
            using var started = new ManualResetEventSlim();
            Exception? failure = null;
            var user = new Thread(() =>
            {
                started.Set();
                try
                {
                    if (blocked)
                    {
                        handle.Acquire(TimeSpan.FromSeconds(10)).Dispose();
                        return;
                    }

                    for (int i = 0; i < 10_000_000; i++)
                    {
                        if (handle.TryAcquire(out SharedLockGuard guard))
                        {
                            guard.Dispose();
                        }
                    }
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
                catch (Exception e)
                {
                    failure = e;
                }
            });
            user.Start();
            started.Wait();
            if (blocked)
            {
                // Until it sleeps in Acquire (the lock's waiter count, offset 76), bounded.
                long start = Stopwatch.GetTimestamp();
                while (Volatile.Read(ref raw.AsRef<int>(76)) == 0 && Stopwatch.GetElapsedTime(start) < TimeSpan.FromSeconds(10))
                {
                    Thread.Yield();
                }

                held.Dispose(); // wakes it...
                Thread.SpinWait(random.Next(0, 2_000));
                handle.Dispose(); // ...while this closes its handle
            }
            else
            {
                Thread.SpinWait(random.Next(0, 20_000));
                handle.Dispose();
            }

            user.Join();
            if (failure is not null)
            {
                unexpected++;
                Console.Error.WriteLine(failure);
            }

            if (observer.OwnerProcessId is not null)
            {
                heldAfter++;
                // Keep going so the count shows how often; take the leftover over by force for the next round.
                Volatile.Write(ref raw.AsRef<ulong>(64), 0UL);
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"done rounds={rounds} held-after={heldAfter} unexpected={unexpected}"));
        return 0;
    }

    private static TimeSpan Seconds(string s) => TimeSpan.FromSeconds(double.Parse(s, CultureInfo.InvariantCulture));

    /// <summary>Sets <see cref="s_stop"/> on a "stop" line or at end of stdin.</summary>
    private static void WatchStdin()
    {
        var thread = new Thread(() =>
        {
            string? line;
            while ((line = Console.ReadLine()) is not null && line != "stop")
            {
            }

            s_stop = true;
        })
        { IsBackground = true };
        thread.Start();
    }
}
