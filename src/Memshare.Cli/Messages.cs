namespace Memshare.Cli;

/// <summary>The CLI's own messages, in one place. Like the library's, each names the region and says what to do.</summary>
internal static class Messages
{
    /// <summary>The library's <c>SharedString.Set</c> message, which <c>set</c> repeats when it refuses before creating the slot.</summary>
    public const string StringTooLong =
        "The string is {1} UTF-8 bytes but string slot '{0}' holds at most {2}; the slot was not changed. Create the slot with a larger capacity.";

    /// <summary>The library's <c>SharedChannelWriter.TryWrite</c> message, which <c>send</c> repeats for a line it stopped reading.</summary>
    public const string ChannelMessageTooLarge =
        "A message of {1} bytes is larger than channel '{0}' accepts ({2} bytes, half its capacity less a 16-byte header); nothing was written. Split the message or create the channel with a larger capacity.";

    public const string OneSource =
        "Give exactly one of --text, --hex or --stdin as the bytes to write.";
    public const string NegativeOffset =
        "Offset {0} is negative; give an offset of 0 or more bytes from the start of the region.";
    public const string NegativeLength =
        "Length {0} is negative; give a length of 0 or more bytes.";
    public const string OffsetPastEnd =
        "Offset {1} is past the end of region '{0}' ({2} bytes); use an offset from 0 to {2}.";
    public const string WritePastEnd =
        "The data ({1} bytes) does not fit in region '{0}' ({2} bytes) at offset {3}: only {4} bytes fit there. Nothing was written; write fewer bytes, use a smaller offset, or create a larger region.";
    public const string ReadPastEnd =
        "Reading {1} bytes at offset {3} would pass the end of region '{0}' ({2} bytes); at most {4} bytes can be read there.";
    public const string BadHex =
        "--hex '{0}' is not hexadecimal bytes: {1}. Give pairs of hex digits such as 'deadbeef' (spaces allowed).";
    public const string HexOddDigits = "it has an odd number of digits";
    public const string HexBadDigit = "'{0}' is not a hex digit";
    public const string RemoveNotOnWindows =
        "Region '{0}' cannot be removed on Windows: a named mapping lives exactly as long as the processes that hold it. Close them instead.";
    public const string ScopedOnWindows =
        "note: on Windows, region '{0}' lasts only while a process holds it; keep one open with 'memshare hold {0}' to make it outlive this command.";
    public const string CreateHoldsOnWindows =
        "note: on Windows a region lives only while a process holds it, so 'create' keeps '{0}' until interrupted (Ctrl+C).";
    public const string NoProcessPath =
        "Cannot find this program's path to start the demo's child process; run the demo with 'dotnet Memshare.Cli.dll demo' or the installed 'memshare' tool.";
    public const string ChildFailed =
        "The demo's child process exited with code {0} instead of 0; see its message above.";
    public const string DemoRegionLeft =
        "Region '{0}' still exists after its last holder closed it, but it is scoped and should have gone. Remove it with 'memshare rm {0}' and report this as a bug.";
    public const string BadTimeout =
        "--timeout '{0}' is not a duration; give a number of seconds such as '5' or '0.5', or a number with a unit: '500ms', '5s', '2m'.";
    public const string LockTimedOut =
        "Lock '{0}' is still held by {1} after {2}; the command was not run. Wait longer with --timeout, or leave it out to wait as long as it takes.";
    public const string LockOwnerProcess = "process {0}";
    public const string LockOwnerUnknown = "another process";
    public const string PreviousOwnerDied =
        "previous owner of lock '{0}' died while holding it; acquired anyway";
    public const string CommandNotStarted =
        "Cannot run '{0}': {1}. Nothing ran under lock '{2}'; {3}";
    public const string CommandNotFoundHint = "check the command's name and PATH.";
    public const string CommandNotExecutableHint = "check that it is an executable file you may run.";
    public const string InterruptedWaitingForLock =
        "Interrupted by {0} while waiting for lock '{1}'; the command was not run.";
    public const string InterruptedWaitingForEvent =
        "Interrupted by {0} while waiting for event '{1}'.";
    public const string WaitTimedOut =
        "Event '{0}' was not set within {1}.";
    public const string ManualIgnored =
        "event '{0}' already exists as auto-reset, and an event keeps the mode it was created with; --manual applies only when creating it. Remove it ('memshare rm {0}') to recreate it as manual-reset.";
    public const string NotifyFailed =
        "The notify demo failed (code {0}): a notification did not arrive or a renderer did not exit 0; see the lines above.";

    public const string ChannelNotFound =
        "Channel '{0}' does not exist. Pass --capacity BYTES (a power of two from 4096 to 1073741824, e.g. 65536) to create it, persistent, or check the name.";
    public const string BadChannelMode =
        "--mode '{0}' is not a channel mode; use spsc (one writer, one reader), mpsc (several writers, one reader) or broadcast (one writer, several readers that each see every message).";
    public const string ChannelOptionsIgnored =
        "channel '{0}' already exists ({1}, {2} bytes), and a channel keeps the mode and capacity it was created with; --mode and --capacity apply only when creating it. Remove it ('memshare rm {0}') to recreate it.";
    public const string LineTooLong =
        "{0} It is line {1} of standard input; what came before it was sent ({2}), nothing after it, and the channel was not marked complete.";
    public const string MoreThan = "more than {0}";
    public const string Sent =
        "Sent {1} to channel '{0}'{2}{3}.";
    public const string SentCompleted = " and marked it complete";
    public const string SentCreated = "; created it ({0}, {1} bytes, persistent: remove it with 'memshare rm {2}')";
    public const string InterruptedSending =
        "Interrupted by {0} while sending to channel '{1}' after {2}; the channel was not marked complete.";
    public const string InterruptedReceiving =
        "Interrupted by {0} while receiving from channel '{1}' after {2}.";
    public const string ReceiveTimedOut =
        "No message arrived on channel '{0}' within {1}, and its writer has not marked it complete; received {2}.";
    public const string ReceivedOf = "{0} of the {1} asked for";
    public const string NegativeCount =
        "--count {0} is negative; give the number of messages to receive, 0 or more.";
    public const string BadReaderIndex =
        "--reader {1} is out of range: channel '{0}' has {2} reader index(es), 0 to {3}. Only broadcast channels have more than one.";

    public const string BadByteCount =
        "{0} '{1}' is not a byte count; give a decimal number ('4096'), hex with 0x ('0x1000'), or a number with a unit: '4k' or '4KiB', '1M' or '1MiB', '1G' or '1GiB'.";
    public const string DumpOffsetPastEnd =
        "--offset {1} is past the end of region '{0}' ({2} bytes); give an offset from 0 to {2} (0x{2:x}).";
    public const string DumpLengthPastEnd =
        "--length {1} at offset {2} would pass the end of region '{0}' ({3} bytes): only {4} remain there. Give a --length of at most {5}, or leave it out to dump to the end.";
    public const string DumpHeaderNote =
        "note: '{0}' is a {1}; bytes 0 to {2} (0x0 to 0x{2:x}) are its Memshare header (docs/format.md).";
    public const string BadInterval =
        "--interval '{0}' is not a positive duration of at most a day; give '500ms', '2s', '1m' or a number of seconds (decimals allowed), more than 0.";
    public const string BadWatchCount =
        "--count {0} is not a positive number; give how many times to refresh (1 or more), or leave it out to refresh until Ctrl+C.";
    public const string WatchedRegionGone =
        "Region '{0}' disappeared after {1}: it was removed (by 'memshare rm', its last holder closing it, or gc). Start watch again once it exists.";

    /// <summary>A count and its noun: <c>1 message</c>, <c>0 messages</c>.</summary>
    public static string Count(long count, string noun) =>
        count == 1 ? "1 " + noun : count.ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + noun + "s";

    public static string Format(string format, params object?[] args) =>
        string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args);
}
