using System.Globalization;
using Memshare.TestChild;
using Memshare.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Memshare.Tests.Peers;

/// <summary>
/// The seqlock across languages: a reader in one process never returns a mix of two writes by the other, whichever
/// side writes. Strings are <see cref="Patterns.StringFor"/> (self-validating), values are <see cref="Octet"/>
/// (eight equal fields); peer.py applies the same rules.
/// </summary>
[Collection("Spinning")]
public sealed class PythonConsistencyTests : IDisposable
{
    private const int Reads = 20_000;
    private const int Writes = 20_000;
    private const string AimDistinct = "1000"; // Python readers read on until they saw this many versions (for at most a minute)
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    private readonly ShmScope _scope = new();
    private readonly ITestOutputHelper _output;

    public PythonConsistencyTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void PythonReadsString_WhileDotNetWritesInLoop_NeverTorn()
    {
        string name = _scope.Name("s");
        using var slot = SharedString.CreateNew(name, Patterns.MaxStringBytes);
        slot.Set(Patterns.StringFor(0));
        Dictionary<string, long> report = ReadWhileWriting("string-reads", "ready", name, k => slot.Set(Patterns.StringFor(k)));

        Assert.Equal(0, report["torn"]);
        Assert.Equal(0, report["regressions"]);
        Assert.True(report["distinct"] > 1, "the reader never saw the writer's progress");
    }

    [Fact]
    public void PythonReadsValue_WhileDotNetWritesInLoop_NeverTorn()
    {
        string name = _scope.Name("v");
        using var value = SharedValue<Octet>.CreateNew(name, Octet.Of(0));
        Dictionary<string, long> report = ReadWhileWriting("value-reads", "ready Octet 64", name, k => value.Write(Octet.Of(k))); // the stored type name and size

        Assert.Equal(0, report["torn"]);
        Assert.Equal(0, report["regressions"]);
        Assert.True(report["distinct"] > 1, "the reader never saw the writer's progress");
    }

    [Fact]
    public void DotNetReadsString_WhilePythonWritesInLoop_NeverTorn()
    {
        string name = _scope.Name("s");
        using var slot = SharedString.CreateNew(name, Patterns.MaxStringBytes);
        ReadStats stats = ReadWhilePythonWrites("string-writes", name, () => Patterns.TryParseString(slot.Get(), out long k) ? k : null);

        Assert.Equal(0, stats.Torn);
        Assert.Equal(0, stats.Regressions);
        Assert.True(stats.Distinct > 1, "the reader never saw the writer's progress");
        Assert.Equal(Patterns.StringFor(Writes - 1), slot.Get());
        Assert.Equal(Writes, slot.Version);
    }

    [Fact]
    public void DotNetReadsValue_WhilePythonWritesInLoop_NeverTorn()
    {
        string name = _scope.Name("v");
        using var value = SharedValue<Octet>.CreateNew(name, Octet.Of(0));
        ReadStats stats = ReadWhilePythonWrites("value-writes", name, () => value.Read() is { IsConsistent: true } o ? o.A : null);

        Assert.Equal(0, stats.Torn);
        Assert.Equal(0, stats.Regressions);
        Assert.True(stats.Distinct > 1, "the reader never saw the writer's progress");
        Assert.Equal(Octet.Of(Writes), value.Read());
        Assert.Equal(Writes, value.Version);
    }

    /// <summary>
    /// Reads on a thread of this process, from before the Python writer starts until it reports that it is done.
    /// <paramref name="read"/> returns the version it read, or null for a torn copy.
    /// </summary>
    private ReadStats ReadWhilePythonWrites(string scenario, string name, Func<long?> read)
    {
        var stats = new ReadStats();
        using var stop = new CancellationTokenSource(Limit);
        var seen = new HashSet<long>();
        var thread = new Thread(() =>
        {
            long last = -1;
            while (!stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref stats.Reads);
                long? k = read();
                if (k is null)
                {
                    stats.Torn++;
                    continue;
                }

                stats.Regressions += k < last ? 1 : 0;
                last = k.Value;
                seen.Add(last);
            }
        });
        thread.Start();
        try
        {
            using PythonProcess writer = PythonProcess.Peer(scenario, name, Writes.ToString(CultureInfo.InvariantCulture));
            writer.Expect("ready");
            Assert.Equal($"wrote {Writes} version {Writes}", writer.ReadLine(Limit));
            writer.Finish().AssertExit(0);
        }
        finally
        {
            stop.Cancel();
            thread.Join();
        }

        stats.Distinct = seen.Count;
        _output.WriteLine($"{stats.Reads} reads, {stats.Distinct} distinct, {stats.Torn} torn");
        return stats;
    }

    private sealed class ReadStats
    {
        public long Reads;
        public long Torn;
        public long Regressions;
        public int Distinct;
    }

    /// <summary>
    /// Runs a Python reader scenario (checking its first line, <paramref name="ready"/>) while a thread of this process writes versions 1, 2, ..., from before the reader
    /// starts until it reports, and returns its report. Each write is followed by a short pause: a Python read takes
    /// microseconds, and a writer that never pauses would make every read retry (seqlock readers yield to writers),
    /// which is starvation, not the race under test.
    /// </summary>
    private Dictionary<string, long> ReadWhileWriting(string scenario, string ready, string name, Action<long> write)
    {
        using var stop = new CancellationTokenSource(Limit);
        long written = 0;
        var thread = new Thread(() =>
        {
            for (long k = 1; !stop.IsCancellationRequested; k++)
            {
                write(k);
                Volatile.Write(ref written, k);
                Thread.SpinWait(200);
            }
        });
        thread.Start();
        string[] line;
        try
        {
            using PythonProcess reader = PythonProcess.Peer(scenario, name, Reads.ToString(CultureInfo.InvariantCulture), AimDistinct);
            Assert.Equal(ready, reader.ReadLine());
            long atReady = Volatile.Read(ref written);
            line = reader.Expect("reads", Limit);
            _output.WriteLine($"{Volatile.Read(ref written) - atReady} writes while the reader read");
            reader.Finish().AssertExit(0);
        }
        finally
        {
            stop.Cancel();
            thread.Join();
        }

        Dictionary<string, long> report = PythonPeerData.Fields(line);
        _output.WriteLine($"{string.Join(' ', line)}; {written} writes");
        Assert.True(report["reads"] >= Reads, $"the reader stopped after {report["reads"]} reads");
        return report;
    }

    public void Dispose() => _scope.Dispose();
}
