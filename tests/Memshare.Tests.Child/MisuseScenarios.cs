using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace Memshare.TestChild;

/// <summary>
/// Misuse that must raise, never crash (tests/Memshare.Tests/Misuse): a thread using an object while another
/// disposes it, and synchronisation types opened read-only. A crash shows as the exit code (a signal), so these
/// run in their own process.
/// </summary>
internal static class MisuseScenarios
{
    private static readonly byte[] s_message = "misuse!!"u8.ToArray();

    /// <summary>Runs the scenario named by <paramref name="args"/>[0] if it is one of these.</summary>
    public static bool TryRun(string[] args, out int exitCode)
    {
        exitCode = args[0] switch
        {
            "misuse-race" => Race(args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture)),
            "misuse-readonly" => ReadOnly(args[1], args[2]),
            _ => -1,
        };
        return exitCode != -1;
    }

    /// <summary>One object under test: every public member in <see cref="Use"/>, and what disposes it.</summary>
    private sealed record Target(Action<int> Use, Action Dispose);

    /// <summary>
    /// Arguments: TYPE PREFIX ROUNDS. Each round opens a fresh TYPE named PREFIX-ROUND; one thread calls all its members
    /// in a loop until one throws <see cref="ObjectDisposedException"/>, while this thread disposes it after a random
    /// few microseconds. Prints "ok rounds=R disposed=D" (D: rounds whose user saw ObjectDisposedException) and exits 0;
    /// any other exception prints "unexpected ..." and exits 3; a user still running 20 s after Dispose exits 4.
    /// </summary>
    private static int Race(string type, string prefix, int rounds)
    {
        var random = new Random(Environment.ProcessId);
        int disposedSeen = 0;
        for (int round = 0; round < rounds; round++)
        {
            Target target = Open(type, $"{prefix}-{round}", round);
            int started = 0;
            bool sawDisposed = false;
            Exception? unexpected = null;
            var user = new Thread(() =>
            {
                Volatile.Write(ref started, 1);
                for (int i = 0; ; i++)
                {
                    try
                    {
                        target.Use(i);
                    }
                    catch (ObjectDisposedException)
                    {
                        sawDisposed = true;
                        return;
                    }
                    catch (Exception e)
                    {
                        unexpected = e;
                        return;
                    }
                }
            });
            user.Start();
            long start = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref started) == 0 && Stopwatch.GetElapsedTime(start) < TimeSpan.FromSeconds(10))
            {
                Thread.Yield();
            }

            Thread.SpinWait(random.Next(0, 4000)); // land the Dispose anywhere within a member
            target.Dispose();
            if (!user.Join(TimeSpan.FromSeconds(20)))
            {
                Console.WriteLine($"hung round={round}");
                return 4;
            }

            if (unexpected is not null)
            {
                Console.WriteLine($"unexpected round={round} {unexpected.GetType().Name}: {unexpected.Message.ReplaceLineEndings(" ")}");
                Console.Error.WriteLine(unexpected);
                return 3;
            }

            disposedSeen += sawDisposed ? 1 : 0;
        }

        Console.WriteLine($"ok rounds={rounds} disposed={disposedSeen}");
        return 0;
    }

    private static Target Open(string type, string name, int round) => type switch
    {
        "memory" => Memory(name),
        "value" => Value(name),
        "string" => String(name),
        "event" => Event(name),
        "lock" => Lock(name, contended: round % 2 == 1),
        "channel" => Channel(name),
        "writer" => Writer(name),
        "reader" => Reader(name),
        _ => throw new ArgumentException($"unknown type '{type}'", nameof(type)),
    };

    // Spans and refs that members return are valid only until Dispose, so the users below never dereference them:
    // what is under test is the member itself.
    private static Target Memory(string name)
    {
        SharedMemory m = SharedMemory.CreateNew(name, 4096);
        return new Target(i =>
        {
            _ = m.Span.Length + m.ReadOnlySpan.Length + m.GetSpan(8, 8).Length + m.GetReadOnlySpan(0, 8).Length;
            _ = Unsafe.IsNullRef(ref m.AsRef<long>(16));
            unsafe
            {
                _ = m.DangerousGetPointer() != null;
            }

            _ = m.Name + m.Size + m.Offset + m.RegionSize + m.IsReadOnly + m.IsPersistent + m.ToString();
        }, m.Dispose);
    }

    private static Target Value(string name)
    {
        SharedValue<long> v = SharedValue<long>.CreateNew(name, 1);
        return new Target(i =>
        {
            v.Write(i);
            _ = v.Read();
            _ = v.Update(static (ref long x) => x++);
            _ = v.Version;
            _ = Unsafe.IsNullRef(ref v.Value);
            _ = Unsafe.IsNullRef(in v.ReadOnlyValue);
            _ = v.Name + v.IsReadOnly + v.ToString();
        }, v.Dispose);
    }

    private static Target String(string name)
    {
        SharedString s = SharedString.CreateNew(name, 64);
        byte[] buffer = new byte[64];
        return new Target(i =>
        {
            s.Set((i & 1) == 0 ? "even" : "odd");
            s.Set(s_message);
            _ = s.Get();
            _ = s.Get(buffer);
            _ = s.Version;
            _ = s.Name + s.Capacity + s.IsReadOnly + s.ToString();
        }, s.Dispose);
    }

    private static Target Event(string name)
    {
        SharedEvent e = SharedEvent.CreateOrOpen(name, EventResetMode.AutoReset);
        return new Target(i =>
        {
            for (int k = 0; k < 32; k++)
            {
                // The cheap members in a burst, so that a Dispose often lands inside one of them.
                _ = e.IsSet;
                e.Set();
                e.Reset();
            }

            e.Set();
            _ = e.Wait(TimeSpan.Zero);
            e.Set();
            _ = e.WaitAsync(TimeSpan.Zero).AsTask().GetAwaiter().GetResult();
            e.Reset();
            e.SpinDuration = TimeSpan.FromMicroseconds(i & 7);
            if ((i & 15) == 0)
            {
                _ = e.Wait(TimeSpan.FromMilliseconds(1)); // sleeps: Dispose must end it
            }
            else if ((i & 15) == 8)
            {
                _ = e.WaitAsync(TimeSpan.FromMilliseconds(1)).AsTask().GetAwaiter().GetResult();
            }

            _ = e.Name + e.Mode + e.SpinDuration + e.ToString();
        }, e.Dispose);
    }

    /// <summary>Contended rounds: a second handle holds the lock, so the user's acquisitions wait (until Dispose ends them).</summary>
    private static Target Lock(string name, bool contended)
    {
        SharedLock l = SharedLock.CreateOrOpen(name);
        SharedLock holder = SharedLock.OpenExisting(name);
        SharedLockGuard held = contended ? holder.Acquire() : default;
        return new Target(i =>
        {
            if (l.TryAcquire(out SharedLockGuard g))
            {
                g.Dispose();
            }

            using (l.Acquire(TimeSpan.FromSeconds(30)))
            {
                _ = l.OwnerProcessId;
            }

            _ = l.TryAcquire(TimeSpan.FromMilliseconds(1), out SharedLockGuard g2);
            g2.Dispose();
            _ = l.Recoveries + l.Name + l.ToString();
        }, () =>
        {
            l.Dispose();
            held.Dispose();
            holder.Dispose();
        });
    }

    private static Target Channel(string name)
    {
        SharedChannel c = SharedChannel.CreateOrOpen(name, new SharedChannelOptions { Capacity = 4096, Mode = ChannelMode.Broadcast, MaxReaders = 2 });
        byte[] buffer = new byte[c.MaxMessageLength];
        return new Target(i =>
        {
            _ = c.MessagesWritten;
            _ = c.IsCompleted;
            using (SharedChannelReader r = c.CreateReader(1))
            {
                using (SharedChannelWriter w = c.CreateWriter())
                {
                    _ = w.TryWrite(s_message);
                }

                _ = r.TryRead(buffer, out _);
            }

            if ((i & 3) == 0)
            {
                c.CreateReader(0).Detach();
            }

            _ = c.Name + c.Capacity + c.MaxMessageLength + c.Mode + c.Overflow + c.MaxReaders + c.ToString();
        }, c.Dispose);
    }

    /// <summary>A writer with a reader that never reads: the ring fills, and then writes wait for room until Dispose.</summary>
    private static Target Writer(string name)
    {
        SharedChannel c = SharedChannel.CreateOrOpen(name, new SharedChannelOptions { Capacity = 64 * 1024 });
        SharedChannelReader r = c.CreateReader();
        SharedChannelWriter w = c.CreateWriter();
        return new Target(i =>
        {
            _ = w.TryWrite(s_message);
            if (w.TryClaim(8, out _))
            {
                w.Commit();
            }

            if (w.TryClaim(8, out _))
            {
                w.Commit(4);
            }

            if (w.TryClaim(8, out _))
            {
                w.Abandon();
            }

            _ = w.TryWrite(s_message, TimeSpan.FromMilliseconds(1));
            if ((i & 7) == 0)
            {
                w.Write(s_message); // blocks once the ring is full
            }
            else if ((i & 7) == 4)
            {
                w.WriteAsync(s_message).AsTask().GetAwaiter().GetResult();
            }

            if ((i & 63) == 63)
            {
                w.Complete();
            }

            w.SpinDuration = TimeSpan.FromMicroseconds(i & 7);
            _ = w.Channel.Name + w.ToString();
        }, () =>
        {
            // The channel and its reader first: the writer's Dispose then drops the last hold on the mapping.
            c.Dispose();
            r.Dispose();
            w.Dispose();
        });
    }

    /// <summary>A reader of a channel holding 1,000 messages: it drains them, then waits for more until Dispose.</summary>
    private static Target Reader(string name)
    {
        SharedChannel c = SharedChannel.CreateOrOpen(name, new SharedChannelOptions { Capacity = 64 * 1024 });
        SharedChannelReader r = c.CreateReader();
        SharedChannelWriter w = c.CreateWriter();
        for (int n = 0; n < 1000; n++)
        {
            _ = w.TryWrite(s_message);
        }

        byte[] buffer = new byte[c.MaxMessageLength];
        return new Target(i =>
        {
            _ = r.TryRead(buffer, out _);
            if (r.TryPeek(out _))
            {
                r.Advance();
            }

            _ = r.WaitToRead(TimeSpan.Zero);
            _ = r.LostMessages;
            switch (i & 7)
            {
                case 0:
                    _ = r.WaitToRead(TimeSpan.FromMilliseconds(1));
                    break;
                case 2:
                    _ = r.WaitToReadAsync().AsTask().GetAwaiter().GetResult(); // waits for ever once drained
                    break;
                case 4:
                    IAsyncEnumerator<byte[]> e = r.ReadAllAsync().GetAsyncEnumerator();
                    try
                    {
                        _ = e.MoveNextAsync().AsTask().GetAwaiter().GetResult();
                    }
                    finally
                    {
                        e.DisposeAsync().AsTask().GetAwaiter().GetResult();
                    }

                    break;
            }

            r.SpinDuration = TimeSpan.FromMicroseconds(i & 7);
            _ = r.Channel.Name + r.Index + r.ToString();
        }, () =>
        {
            c.Dispose();
            w.Dispose();
            r.Dispose();
        });
    }

    /// <summary>
    /// Arguments: event|lock|channel NAME (an existing region). Opens it read-only and uses it; prints "refused MESSAGE"
    /// if the open throws <see cref="ArgumentException"/>, else "used"; then the same for TryOpenExisting
    /// ("try-refused" or "try-used"). A crash (a write to the read-only mapping) is the exit code.
    /// </summary>
    private static int ReadOnly(string type, string name)
    {
        var ro = new SharedMemoryOptions { Access = SharedMemoryAccess.Read };
        try
        {
            switch (type)
            {
                case "event":
                    using (SharedEvent e = SharedEvent.OpenExisting(name, ro))
                    {
                        _ = e.Wait(TimeSpan.Zero);
                        e.Set();
                    }

                    break;
                case "lock":
                    using (SharedLock l = SharedLock.OpenExisting(name, ro))
                    {
                        _ = l.TryAcquire(out SharedLockGuard g);
                        g.Dispose();
                    }

                    break;
                default:
                    using (SharedChannel c = SharedChannel.OpenExisting(name, ro))
                    {
                        c.CreateReader().Dispose();
                        c.CreateWriter().Dispose();
                    }

                    break;
            }

            Console.WriteLine("used");
        }
        catch (ArgumentException e)
        {
            Console.WriteLine("refused " + e.Message);
        }

        try
        {
            bool found = type switch
            {
                "event" => SharedEvent.TryOpenExisting(name, out _, ro),
                "lock" => SharedLock.TryOpenExisting(name, out _, ro),
                _ => SharedChannel.TryOpenExisting(name, out _, ro),
            };
            Console.WriteLine("try-used " + found);
        }
        catch (ArgumentException)
        {
            Console.WriteLine("try-refused");
        }

        return 0;
    }
}
