using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Memshare.Samples;

/// <summary>What the main ("browser") process publishes for its renderers: the CEF seed's ProcessShareData.</summary>
public struct ProcessShareData
{
    /// <summary>The main window's handle (an HWND on Windows; any id elsewhere).</summary>
    public long MainWindowHandle;

    /// <summary>The main process, so renderers can tell whom they are talking to.</summary>
    public int MainProcessId;
}

/// <summary>Per-renderer counters: renderer i bumps slot i, then sets the event.</summary>
public struct Mailbox
{
    public const int Slots = 8;
    public Int32x8 SenderPid;
    public Int64x8 Count;
    public Int64x8 WindowSeen;
}

[InlineArray(Mailbox.Slots)]
public struct Int32x8
{
    private int _element;
}

[InlineArray(Mailbox.Slots)]
public struct Int64x8
{
    private long _element;
}

/// <summary>
/// The CEF scenario: a main process publishes its window handle in shared memory; renderer processes open it
/// by name, read the handle and notify the main process, which wakes at once without polling.
/// </summary>
public static class NotifyScenario
{
    /// <summary>Runs the main process: starts <paramref name="renderers"/> children through <paramref name="startRenderer"/>.</summary>
    public static int RunMain(int renderers, int notificationsEach, Func<string, int, Process> startRenderer, TextWriter output)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(renderers, Mailbox.Slots);
        string name = $"cef-demo-{Environment.ProcessId}";
        long window = 0x1F0000 + Environment.ProcessId; // stands in for the HWND of the browser window

        using var share = SharedValue<ProcessShareData>.CreateNew(name, new ProcessShareData { MainWindowHandle = window, MainProcessId = Environment.ProcessId });
        using var mailbox = SharedValue<Mailbox>.CreateNew(name + ".mailbox");
        using var notify = SharedEvent.CreateOrOpen(name + ".notify", EventResetMode.AutoReset);
        output.WriteLine($"main: published window 0x{window:X} in '{name}'; starting {renderers} renderers");

        var children = new List<Process>();
        for (int i = 0; i < renderers; i++)
        {
            children.Add(startRenderer(name, i));
        }

        var seen = new long[Mailbox.Slots];
        long expected = (long)renderers * notificationsEach, received = 0;
        var deadline = Stopwatch.StartNew();
        while (received < expected && deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (!notify.Wait(TimeSpan.FromSeconds(5)))
            {
                continue;
            }

            Mailbox now = mailbox.Read(); // one consistent snapshot of every renderer's counters
            for (int i = 0; i < renderers; i++)
            {
                for (long n = seen[i] + 1; n <= now.Count[i]; n++)
                {
                    output.WriteLine($"main: notification {n} from renderer {i} (pid {now.SenderPid[i]}), which saw window 0x{now.WindowSeen[i]:X}");
                    received++;
                }

                seen[i] = now.Count[i];
            }
        }

        bool allExited = true;
        foreach (Process child in children)
        {
            allExited &= child.WaitForExit(30_000) && child.ExitCode == 0;
            child.Dispose();
        }

        output.WriteLine($"main: received {received} of {expected} notifications; renderers {(allExited ? "all exited 0" : "FAILED")}");
        return received == expected && allExited ? 0 : 1;
    }

    /// <summary>Runs renderer <paramref name="index"/>: finds the main window by name and notifies it.</summary>
    public static int RunRenderer(string name, int index, int notifications, TextWriter output)
    {
        using var share = SharedValue<ProcessShareData>.OpenExisting(name, SharedMemoryOptions.ReadOnly);
        using var mailbox = SharedValue<Mailbox>.OpenExisting(name + ".mailbox");
        using var notify = SharedEvent.OpenExisting(name + ".notify");
        ProcessShareData data = share.Read();
        output.WriteLine($"renderer {index} (pid {Environment.ProcessId}): found window 0x{data.MainWindowHandle:X} of main pid {data.MainProcessId}");
        for (int n = 0; n < notifications; n++)
        {
            mailbox.Update((ref Mailbox m) =>
            {
                m.SenderPid[index] = Environment.ProcessId;
                m.WindowSeen[index] = data.MainWindowHandle;
                m.Count[index]++;
            });
            notify.Set();
        }

        return 0;
    }
}
