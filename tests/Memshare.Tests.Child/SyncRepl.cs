using System.Diagnostics;
using System.Globalization;

namespace Memshare.TestChild;

/// <summary>
/// A process holding one <see cref="SharedLock"/>, one <see cref="SharedEvent"/> and one SharedValue&lt;Octet&gt;,
/// acting on them when the test says so (scenario "sync-repl"). One reply line per command, like
/// <see cref="Repl"/>. A blocking operation can run in the background (one at a time); its result is a line
/// starting with "bg ", which may come before or after the reply to a later command.
/// </summary>
/// <remarks>
/// <code>
/// lock-open NAME                  created | opened
/// lock-acquire [TIMEOUT_MS]       held INDEX died=BOOL recoveries=R   (the guard is kept as INDEX)
/// lock-try                        held INDEX died=BOOL recoveries=R | busy
/// lock-acquire-bg                 started; later: bg held INDEX died=BOOL recoveries=R | bg error TYPE MESSAGE
/// guard-dispose INDEX             ok      (disposes a copy of guard INDEX: may be repeated)
/// lock-owner                      owner PID | owner none
/// lock-close                      closed  (disposes the SharedLock, not the guards)
/// event-open NAME auto|manual     created | opened
/// event-set / event-reset         ok
/// event-is-set                    True | False
/// event-wait MS                   waited BOOL ms=ELAPSED cpu=PROCESS_CPU_MS
/// event-wait-bg MS                started; later: bg waited BOOL ms=ELAPSED | bg error TYPE MESSAGE
/// event-wait-async MS             started; later as event-wait-bg, through WaitAsync
/// event-close                     closed
/// cancel                          ok      (cancels the background operation's token)
/// value-open NAME                 opened
/// value-update-throw              error InvalidOperationException ... (an Update whose delegate throws)
/// exit                            (disposes everything and exits 0)
/// </code>
/// </remarks>
internal static class SyncRepl
{
    private static readonly List<SharedLockGuard> s_guards = [];
    private static SharedLock? s_lock;
    private static SharedEvent? s_event;
    private static SharedValue<Octet>? s_value;
    private static CancellationTokenSource s_cancel = new();
    private static Task s_background = Task.CompletedTask;

    public static int Run()
    {
        Console.WriteLine("ready");
        string? line;
        while ((line = Console.ReadLine()) is not null && line != "exit")
        {
            string reply;
            try
            {
                reply = Execute(line.Split(' '));
            }
            catch (Exception e)
            {
                reply = Repl.Describe(e);
            }

            Console.WriteLine(reply);
        }

        s_cancel.Cancel();
        s_lock?.Dispose();
        s_event?.Dispose();
        s_value?.Dispose();
        return s_background.Wait(TimeSpan.FromSeconds(10)) ? 0 : 4;
    }

    private static string Execute(string[] p)
    {
        switch (p[0])
        {
            case "lock-open":
                s_lock = SharedLock.CreateOrOpen(p[1], out bool lockCreated);
                return lockCreated ? "created" : "opened";
            case "lock-acquire":
                return Held(p.Length > 1 ? Lock.Acquire(TimeSpan.FromMilliseconds(Int(p[1]))) : Lock.Acquire());
            case "lock-try":
                return Lock.TryAcquire(out SharedLockGuard tried) ? Held(tried) : "busy";
            case "lock-acquire-bg":
                SharedLock l = Lock;
                return Background(token => "bg " + Held(l.Acquire(token)));
            case "guard-dispose":
                SharedLockGuard copy = s_guards[Int(p[1])];
                copy.Dispose();
                return "ok";
            case "lock-owner":
                return "owner " + (Lock.OwnerProcessId?.ToString(CultureInfo.InvariantCulture) ?? "none");
            case "lock-close":
                Lock.Dispose();
                return "closed";
            case "event-open":
                s_event = SharedEvent.CreateOrOpen(p[1], out bool eventCreated, p[2] == "manual" ? EventResetMode.ManualReset : EventResetMode.AutoReset);
                return eventCreated ? "created" : "opened";
            case "event-set":
                Event.Set();
                return "ok";
            case "event-reset":
                Event.Reset();
                return "ok";
            case "event-is-set":
                return Event.IsSet.ToString();
            case "event-wait":
                return TimedWait(Int(p[1]));
            case "event-wait-bg":
                SharedEvent e = Event;
                int ms = Int(p[1]);
                return Background(token =>
                {
                    long start = Stopwatch.GetTimestamp();
                    bool set = e.Wait(TimeSpan.FromMilliseconds(ms), token);
                    return $"bg waited {set} ms={Elapsed(start)}";
                });
            case "event-wait-async":
                SharedEvent ae = Event;
                int ams = Int(p[1]);
                return BackgroundAsync(async token =>
                {
                    long start = Stopwatch.GetTimestamp();
                    bool set = await ae.WaitAsync(TimeSpan.FromMilliseconds(ams), token).ConfigureAwait(false);
                    return $"bg waited {set} ms={Elapsed(start)}";
                });
            case "event-close":
                Event.Dispose();
                return "closed";
            case "cancel":
                s_cancel.Cancel();
                return "ok";
            case "value-open":
                s_value = SharedValue<Octet>.OpenExisting(p[1]);
                return "opened";
            case "value-update-throw":
                (s_value ?? throw new InvalidOperationException("no value is open")).Update(static (ref Octet v) =>
                {
                    v = Octet.Of(-7); // changed, then abandoned: none of it may be published
                    throw new InvalidOperationException("update abandoned on purpose");
                });
                return "updated";
            default:
                return "unknown-command " + p[0];
        }
    }

    private static SharedLock Lock => s_lock ?? throw new InvalidOperationException("no lock is open");

    private static SharedEvent Event => s_event ?? throw new InvalidOperationException("no event is open");

    private static string Held(SharedLockGuard guard)
    {
        s_guards.Add(guard);
        return string.Create(CultureInfo.InvariantCulture,
            $"held {s_guards.Count - 1} died={guard.PreviousOwnerDied} recoveries={Lock.Recoveries}");
    }

    /// <summary>Waits on this thread and reports the process's CPU time (all threads) spent meanwhile.</summary>
    private static string TimedWait(int ms)
    {
        using Process self = Process.GetCurrentProcess();
        TimeSpan cpuBefore = self.TotalProcessorTime;
        long start = Stopwatch.GetTimestamp();
        bool set = Event.Wait(TimeSpan.FromMilliseconds(ms));
        long elapsed = Elapsed(start);
        self.Refresh();
        double cpu = (self.TotalProcessorTime - cpuBefore).TotalMilliseconds;
        return string.Create(CultureInfo.InvariantCulture, $"waited {set} ms={elapsed} cpu={cpu:F1}");
    }

    private static string Background(Func<CancellationToken, string> operation) =>
        BackgroundAsync(token => Task.FromResult(operation(token)), dedicatedThread: true);

    /// <summary>Starts <paramref name="operation"/> with a fresh token; prints its result, or "bg error TYPE MESSAGE" for what it threw.</summary>
    private static string BackgroundAsync(Func<CancellationToken, Task<string>> operation, bool dedicatedThread = false)
    {
        if (!s_background.IsCompleted)
        {
            throw new InvalidOperationException("a background operation is still running");
        }

        s_cancel = new CancellationTokenSource();
        CancellationToken token = s_cancel.Token;
        async Task Report()
        {
            string line;
            try
            {
                line = await operation(token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                line = "bg " + Repl.Describe(e);
            }

            Console.WriteLine(line);
        }

        s_background = dedicatedThread
            ? Task.Factory.StartNew(Report, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap()
            : Task.Run(Report, CancellationToken.None);
        return "started";
    }

    private static long Elapsed(long start) => (long)Stopwatch.GetElapsedTime(start).TotalMilliseconds;

    private static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);
}
