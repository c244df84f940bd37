using BenchmarkDotNet.Attributes;

namespace Memshare.Benchmarks;

/// <summary>Uncontended synchronised reads and writes of a SharedValue and a SharedString.</summary>
[MemoryDiagnoser]
public class SnapshotBenchmarks
{
    private readonly byte[] _text = "This is a test string"u8.ToArray();
    private readonly byte[] _buffer = new byte[256];
    private SharedValue<Quote>? _value;
    private SharedString? _string;
    private Quote _quote = new() { Bid = 1, Ask = 2, Size = 3, Time = 4 };

    [GlobalSetup]
    public void Setup()
    {
        _value = SharedValue<Quote>.CreateNew($"bench-value-{Environment.ProcessId}", _quote);
        _string = SharedString.CreateNew($"bench-string-{Environment.ProcessId}", 256);
        _string.Set(_text);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _value?.Dispose();
        _string?.Dispose();
    }

    [Benchmark]
    public Quote Value_Read() => _value!.Read();

    [Benchmark]
    public void Value_Write()
    {
        _quote.Time++;
        _value!.Write(_quote);
    }

    [Benchmark]
    public int String_Get_Span() => _string!.Get(_buffer);

    [Benchmark]
    public void String_Set_Span() => _string!.Set(_text);

    [Benchmark]
    public string String_Get() => _string!.Get();

    public struct Quote
    {
        public double Bid;
        public double Ask;
        public long Size;
        public long Time;
    }
}
