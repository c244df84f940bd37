using System.Diagnostics.CodeAnalysis;

namespace Memshare.AotPeer;

/// <summary>One shape's region: named PREFIX-NAME, holding <c>make(seed)</c>.</summary>
internal interface IShape
{
    string Name { get; }

    /// <summary>Creates the region holding seed 1 and keeps it open.</summary>
    void Create(string prefix);

    /// <summary>Null if the region this process created now holds <paramref name="seed"/>, else what it holds.</summary>
    string? Check(int seed);

    /// <summary>Opens the region another process created: null if it holds seed 1 (then writes seed 2), else why not.</summary>
    string? Visit(string prefix);

    void Close();
}

internal sealed class Shape<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields)] T>(
    string name, Func<int, T> make) : IShape
    where T : unmanaged
{
    private SharedValue<T>? _value;

    public string Name => name;

    public void Create(string prefix) => _value = SharedValue<T>.CreateNew($"{prefix}-{name}", make(1));

    public string? Check(int seed) => Differs(_value!.Read(), make(seed));

    public string? Visit(string prefix)
    {
        using SharedValue<T> value = SharedValue<T>.OpenExisting($"{prefix}-{name}");
        if (Differs(value.Read(), make(1)) is { } bad)
        {
            return bad;
        }

        value.Write(make(2));
        return null;
    }

    public void Close() => _value?.Dispose();

    /// <summary>Compares what the fields say (padding bytes are not preserved by struct copies).</summary>
    private static string? Differs(T actual, T expected) =>
        actual.ToString() == expected.ToString() ? null : $"holds {actual}, expected {expected}";
}
