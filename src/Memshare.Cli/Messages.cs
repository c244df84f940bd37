namespace Memshare.Cli;

/// <summary>The CLI's own messages, in one place. Like the library's, each names the region and says what to do.</summary>
internal static class Messages
{
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
    public const string NoProcessPath =
        "Cannot find this program's path to start the demo's child process; run the demo with 'dotnet Memshare.Cli.dll demo' or the installed 'memshare' tool.";
    public const string ChildFailed =
        "The demo's child process exited with code {0} instead of 0; see its message above.";
    public const string DemoRegionLeft =
        "Region '{0}' still exists after its last holder closed it, but it is scoped and should have gone. Remove it with 'memshare rm {0}' and report this as a bug.";

    public static string Format(string format, params object?[] args) =>
        string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args);
}
