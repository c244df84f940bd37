using Memshare.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Memshare.Tests.Peers;

/// <summary>
/// Readers in one language never see a torn copy of what a writer in the other is hammering. Each payload is
/// self-validating (<see cref="CPatterns"/>); "distinct" proves the reads overlapped the writes.
/// </summary>
[Collection("Spinning")]
public sealed class CTornTests
{
    private const string CReads = "2000000";
    private const string WriterSeconds = "30"; // an upper bound: the tests kill the writer long before
    private static readonly TimeSpan ReadFor = TimeSpan.FromSeconds(20);

    private readonly ITestOutputHelper _output;

    public CTornTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void StringGet_InC_WhileDotNetSetsInLoop_NeverTorn()
    {
        using var shm = new ShmScope();
        string name = shm.Name("str");
        using SharedString slot = SharedString.CreateNew(name, 256);
        slot.Set(CPatterns.StringFor(0));

        (long reads, long torn, long distinct) = HuntInC("string-hunt", name, k => slot.Set(CPatterns.StringFor(k)));

        Assert.Equal(0, torn);
        Assert.True(distinct > 1, $"{distinct} distinct strings in {reads} reads: the reads never overlapped a write");
    }

    [Fact]
    public void ValueRead_InC_WhileDotNetWritesInLoop_NeverTorn()
    {
        using var shm = new ShmScope();
        string name = shm.Name("val");
        using var value = SharedValue<CPeerValue>.CreateNew(name, CPatterns.ValueFor(0));

        (long reads, long torn, long distinct) = HuntInC("value-hunt", name, k => value.Write(CPatterns.ValueFor(k)));

        Assert.Equal(0, torn);
        Assert.True(distinct > 1, $"{distinct} distinct values in {reads} reads: the reads never overlapped a write");
    }

    [Fact]
    public void StringGet_InDotNet_WhileCSetsInLoop_NeverTornAndSetWorksAfterKill()
    {
        using var shm = new ShmScope();
        string name = shm.Name("str");
        using SharedString slot = SharedString.CreateNew(name, 256);

        long torn = 0, distinct = 0, reads = 0;
        using (var writer = Child.Program(NativeBuild.CPeer, "string-hammer", name, WriterSeconds))
        {
            Assert.Equal("ready", writer.ReadLine());
            ulong last = ulong.MaxValue;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (; reads < 1_000_000 && (distinct < 1_000 || reads < 100_000) && clock.Elapsed < ReadFor; reads++)
            {
                string text = slot.Get();
                if (text.Length == 0)
                {
                    continue; // the C writer has not set anything yet
                }

                if (!CPatterns.TryParseString(text, out ulong k))
                {
                    torn++;
                }
                else if (k != last)
                {
                    distinct++;
                    last = k;
                }
            }

            writer.Kill(); // perhaps mid-set, holding the writer lock
        }

        _output.WriteLine($".NET reader: {reads} reads, {distinct} distinct, {torn} torn");
        Assert.Equal(0, torn);
        Assert.True(distinct > 1, $"{distinct} distinct strings in {reads} reads");
        slot.Set("after"); // recovers the lock if the C writer died holding it
        Assert.Equal("after", slot.Get());
    }

    [Fact]
    public void ValueRead_InDotNet_WhileCWritesInLoop_NeverTorn()
    {
        using var shm = new ShmScope();
        string name = shm.Name("val");
        using var value = SharedValue<CPeerValue>.CreateNew(name, CPatterns.ValueFor(0));

        long torn = 0, distinct = 0, reads = 0;
        using (var writer = Child.Program(NativeBuild.CPeer, "value-hammer", name, WriterSeconds))
        {
            Assert.Equal("ready", writer.ReadLine());
            ulong last = ulong.MaxValue;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (; reads < 2_000_000 && (distinct < 1_000 || reads < 100_000) && clock.Elapsed < ReadFor; reads++)
            {
                CPeerValue v = value.Read();
                if (!CPatterns.IsValid(v))
                {
                    torn++;
                }
                else if (v.W0 != last)
                {
                    distinct++;
                    last = v.W0;
                }
            }

            writer.Kill();
        }

        _output.WriteLine($".NET reader: {reads} reads, {distinct} distinct, {torn} torn");
        Assert.Equal(0, torn);
        Assert.True(distinct > 1, $"{distinct} distinct values in {reads} reads");
        value.Write(CPatterns.ValueFor(99));
        Assert.Equal(CPatterns.ValueFor(99), value.Read());
    }

    /// <summary>Runs the C hunter while a thread here writes pattern 1, 2, 3, ...; returns what the hunter reported.</summary>
    private (long Reads, long Torn, long Distinct) HuntInC(string mode, string name, Action<ulong> write)
    {
        using var stop = new CancellationTokenSource();
        ulong writes = 0;
        var writer = new Thread(() =>
        {
            for (ulong k = 1; !stop.IsCancellationRequested; k++)
            {
                write(k);
                writes = k;
            }
        });
        writer.Start();
        try
        {
            using var hunter = Child.Program(NativeBuild.CPeer, mode, name, CReads);
            Assert.True(hunter.WaitForExit(TimeSpan.FromSeconds(60)) == 0, hunter.Stderr);
            string line = hunter.ReadLine();
            _output.WriteLine($"C hunter: {line}; .NET writer: {writes} writes so far");
            string[] f = line.Split(' ');
            Assert.True(f.Length == 6 && f[0] == "reads" && f[2] == "torn" && f[4] == "distinct", line);
            return (long.Parse(f[1]), long.Parse(f[3]), long.Parse(f[5]));
        }
        finally
        {
            stop.Cancel();
            writer.Join();
        }
    }
}
