namespace Memshare.Benchmarks.Harness;

/// <summary>What every cross-process harness run (<c>ipc</c>, <c>scale</c>) is told: how often, where to write, and the session discipline.</summary>
internal abstract record HarnessSettings
{
    /// <summary><c>--quick</c>: short phases, for checking that everything runs; not for quoting.</summary>
    public bool Quick { get; init; }

    /// <summary>Interleaved repetitions of every session.</summary>
    public int Reps { get; init; } = 7;

    public string? CsvPath { get; init; }

    /// <summary>When set, only these sessions or groups run.</summary>
    public IReadOnlySet<string>? Only { get; init; }

    /// <summary>The busy-machine limit and how often a disturbed session is measured again.</summary>
    public SessionPolicy Policy { get; init; } = new();

    /// <summary>
    /// Reads <c>--quick</c> (already applied: <paramref name="settings"/> is the quick or the full run), <c>--reps N</c>
    /// and <c>--csv PATH</c>; any other option goes to <paramref name="other"/>, which returns null for one it does not know.
    /// </summary>
    protected static T Parse<T>(string[] args, T settings, string usage, Func<T, OptionReader, T?> other)
        where T : HarnessSettings
    {
        var options = new OptionReader(args, usage);
        while (options.MoveNext())
        {
            settings = options.Current switch
            {
                "--quick" => settings,
                "--reps" => (T)((HarnessSettings)settings with { Reps = options.Count(1000) }),
                "--csv" => (T)((HarnessSettings)settings with { CsvPath = options.Value("a file path") }),
                _ => other(settings, options) ?? throw options.Unknown(),
            };
        }

        return settings;
    }
}
