using System.Runtime.InteropServices;

namespace Memshare.Cli;

/// <summary>Blocks until Ctrl+C, SIGINT, SIGTERM or SIGHUP (or, if asked, the end of standard input): how <c>hold</c> keeps a region.</summary>
internal static class HoldUntilReleased
{
    /// <summary>
    /// Registers the signals, prints <paramref name="readyLine"/> (so a signal sent as soon as it appears is never
    /// fatal), and waits for one of them.
    /// </summary>
    public static void Run(string readyLine, bool untilEof)
    {
        // A TaskCompletionSource, not an event: a late signal or EOF after we return must not touch a disposed object.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true; // we exit on our own, after disposing
            release.TrySetResult();
        }

        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using PosixSignalRegistration sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);
        if (untilEof)
        {
            var reader = new Thread(() =>
            {
                using Stream input = Console.OpenStandardInput();
                byte[] buffer = new byte[4096];
                while (input.Read(buffer, 0, buffer.Length) > 0)
                {
                }

                release.TrySetResult();
            })
            {
                IsBackground = true,
                Name = "memshare hold: stdin",
            };
            reader.Start();
        }

        Console.WriteLine(readyLine);
        release.Task.Wait();
    }
}
