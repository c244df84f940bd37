using System.CommandLine;
using System.Diagnostics;
using Memshare.Cli.Output;
using Memshare.Inspection;
using Spectre.Console;

namespace Memshare.Cli.Commands;

/// <summary>
/// <c>memshare watch NAME [--interval 500ms] [--count N]</c>: a refreshing view of a region's state and rates,
/// read from outside like <c>info</c> (no holder, no reader or writer role), until Ctrl+C or N refreshes.
/// </summary>
internal static class WatchCommand
{
    /// <summary>How much of a region's contents each refresh reads: a string's text up to this, 64 bytes of anything else.</summary>
    private const int SampleBytes = 4096;

    /// <summary>The longest --interval: a day, well inside what a timed wait accepts.</summary>
    private static readonly TimeSpan MaxInterval = TimeSpan.FromDays(1);

    public static Command Create()
    {
        Argument<string> name = Symbols.RegionName();
        Option<TimeSpan> interval = new("--interval")
        {
            HelpName = "duration",
            Description = "Time between refreshes: '500ms' (the default), '2s', '1m' or a number of seconds.",
            DefaultValueFactory = _ => TimeSpan.FromMilliseconds(500),
            CustomParser = result =>
            {
                string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
                if (Duration.TryParse(text, out TimeSpan value) && value > TimeSpan.Zero && value <= MaxInterval)
                {
                    return value;
                }

                result.AddError(Messages.Format(Messages.BadInterval, text));
                return default;
            },
        };
        Option<int?> count = new("--count") { HelpName = "n", Description = "Refresh this many times, then exit 0. Without it, refresh until Ctrl+C (exit 0)." };
        var command = new Command("watch", "Show a region's state, refreshed in place: a value's type, writes, writes/s, recoveries and bytes; a string's text, length and writes/s; a channel's mode, fill, messages, msg/s, bytes/s, writer and each reader's position, lag and lost messages; a lock's owner, waiters and recoveries; an event's mode, state and waiters; a raw region's first bytes; and the holder count. Reads from outside: never opens the region as a holder, reader or writer. When stdout is not a terminal, prints plain text blocks separated by a blank line. Exits 3 if the region is missing or disappears. Linux only.")
        {
            name,
            interval,
            count,
        };
        command.SetAction(parse => Run(parse.GetRequiredValue(name), parse.GetValue(interval), parse.GetValue(count)));
        return command;
    }

    private static int Run(string name, TimeSpan interval, int? count)
    {
        if (count < 1)
        {
            throw new ArgumentException(Messages.Format(Messages.BadWatchCount, count));
        }

        using var interruption = new Interruption();
        var watch = new Watch(name, interval, count, interruption);
        if (Console.IsOutputRedirected)
        {
            watch.Run(frame => WatchScreen.WritePlain(frame, Console.Out));
        }
        else
        {
            WatchFrame first = watch.Next();
            AnsiConsole.Live(WatchScreen.ToTable(first)).Start(context => watch.Run(frame =>
            {
                context.UpdateTarget(WatchScreen.ToTable(frame));
                context.Refresh();
            }, first));
        }

        // Ctrl+C ends a watch normally, as it ends watch(1); other signals report themselves.
        if (interruption.Signal is not (0 or 2))
        {
            throw new InterruptedBySignalException(interruption.Signal, $"Interrupted by {Interruption.NameOf(interruption.Signal)} while watching region '{name}'.");
        }

        return ExitCodes.Success;
    }

    /// <summary>The refresh loop: sample, show, wait; rates come from the previous sample.</summary>
    private sealed class Watch(string name, TimeSpan interval, int? count, Interruption interruption)
    {
        private SharedMemorySample? _previous;
        private long _previousAt;
        private int _refreshes;

        /// <summary>Shows frames until <c>--count</c> is reached or a signal arrives; <paramref name="first"/> is already shown.</summary>
        public void Run(Action<WatchFrame> show, WatchFrame? first = null)
        {
            if (first is null)
            {
                show(Next());
            }

            while (count is null || _refreshes < count)
            {
                if (interruption.Token.WaitHandle.WaitOne(interval))
                {
                    return;
                }

                show(Next());
            }
        }

        /// <summary>Samples the region; it must exist (exit 3 otherwise, saying whether it vanished meanwhile).</summary>
        public WatchFrame Next()
        {
            SharedMemorySample? now = SharedMemoryCatalog.GetSample(name, SampleBytes);
            long at = Stopwatch.GetTimestamp();
            if (now is null)
            {
                throw _refreshes == 0
                    ? new RegionNotFoundException(name)
                    : new FileNotFoundException(Messages.Format(Messages.WatchedRegionGone, name, _refreshes == 1 ? "1 refresh" : $"{_refreshes} refreshes"));
            }

            _refreshes++;
            WatchFrame frame = WatchFrame.From(now, _previous, _previous is null ? TimeSpan.Zero : Stopwatch.GetElapsedTime(_previousAt, at), _refreshes);
            (_previous, _previousAt) = (now, at);
            return frame;
        }
    }
}
