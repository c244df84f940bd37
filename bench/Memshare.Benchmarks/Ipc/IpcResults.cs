namespace Memshare.Benchmarks.Ipc;

/// <summary>Every figure of every repetition, by transport, message size and metric; missing ones are NaN.</summary>
internal sealed class IpcResults(int reps)
{
    internal const string P50 = "p50";
    internal const string P90 = "p90";
    internal const string P99 = "p99";
    internal const string P999 = "p999";
    internal const string MessagesPerSecond = "msgs";
    internal const string GigabytesPerSecond = "gbps";
    internal const string Share = "share";

    private readonly Dictionary<(string, int, string), double[]> _values = [];
    private readonly List<(string, int, string, int, double)> _pending = [];

    internal int Reps => reps;

    internal List<string> Failures { get; } = [];

    /// <summary>Sessions kept although other processes were busy during every attempt.</summary>
    internal List<string> Disturbed { get; } = [];

    /// <summary>Sessions measured again because other processes were busy.</summary>
    internal int Retries { get; set; }

    /// <summary>Records a figure; it counts only after <see cref="Commit"/>.</summary>
    internal void Add(string transport, int size, string metric, int rep, double value) => _pending.Add((transport, size, metric, rep, value));

    /// <summary>Keeps the figures added since the last commit or discard.</summary>
    internal void Commit()
    {
        foreach ((string transport, int size, string metric, int rep, double value) in _pending)
        {
            Store(transport, size, metric, rep, value);
        }

        _pending.Clear();
    }

    /// <summary>Drops the figures added since the last commit or discard.</summary>
    internal void Discard() => _pending.Clear();

    private void Store(string transport, int size, string metric, int rep, double value)
    {
        if (!_values.TryGetValue((transport, size, metric), out double[]? perRep))
        {
            perRep = new double[reps];
            Array.Fill(perRep, double.NaN);
            _values[(transport, size, metric)] = perRep;
        }

        perRep[rep] = value;
    }

    internal void AddRoundTrips(string transport, int size, int rep, RoundTripStats stats)
    {
        Add(transport, size, P50, rep, stats.P50);
        Add(transport, size, P90, rep, stats.P90);
        Add(transport, size, P99, rep, stats.P99);
        Add(transport, size, P999, rep, stats.P999);
    }

    /// <summary>Every (transport, size, metric) that has at least one committed figure.</summary>
    internal IEnumerable<(string Transport, int Size, string Metric)> Keys => _values.Keys;

    internal Series Get(string transport, int size, string metric) =>
        new(_values.TryGetValue((transport, size, metric), out double[]? perRep) ? perRep : []);
}

/// <summary>One figure across repetitions: its median and spread over the repetitions that produced it.</summary>
internal readonly struct Series
{
    private readonly double[] _sorted;

    internal Series(double[] perRep)
    {
        PerRep = perRep;
        _sorted = [.. perRep.Where(v => !double.IsNaN(v)).Order()];
    }

    internal double[] PerRep { get; }

    internal int Count => _sorted.Length;

    internal bool HasValue => _sorted.Length > 0;

    /// <summary>The median (the mean of the middle two for an even count).</summary>
    internal double Median => _sorted.Length == 0 ? double.NaN
        : _sorted.Length % 2 == 1 ? _sorted[_sorted.Length / 2]
        : (_sorted[(_sorted.Length / 2) - 1] + _sorted[_sorted.Length / 2]) / 2;

    internal double Min => _sorted.Length == 0 ? double.NaN : _sorted[0];

    internal double Max => _sorted.Length == 0 ? double.NaN : _sorted[^1];

    internal Series Scale(double factor) => new([.. PerRep.Select(v => v * factor)]);

    /// <summary>Per-repetition ratios a/b (paired within each repetition, where both exist).</summary>
    internal static Series Ratio(Series a, Series b)
    {
        int n = Math.Min(a.PerRep.Length, b.PerRep.Length);
        var ratios = new double[n];
        for (int i = 0; i < n; i++)
        {
            ratios[i] = a.PerRep[i] / b.PerRep[i];
        }

        return new Series(ratios);
    }
}
