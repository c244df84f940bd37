using System.CommandLine;

namespace Memshare.Cli;

/// <summary>Arguments and options that several commands share, so they read the same in every help text.</summary>
internal static class Symbols
{
    public static Argument<string> RegionName() =>
        new("name") { Description = "The region's name: 1 to 200 letters, digits, '.', '_' or '-' (on Linux, the file /dev/shm/NAME)." };

    public static Option<bool> Json() =>
        new("--json") { Description = "Print JSON instead of text." };

    public static Option<long> Offset(string description) =>
        new("--offset") { Description = description, DefaultValueFactory = _ => 0 };
}
