// Shared-memory payloads are plain fields by design: their layout is what the processes agree on.
#pragma warning disable CA1051

namespace Memshare.TestChild;

/// <summary>Eight equal fields: a read that mixes two writes has unequal fields. 64 bytes.</summary>
public struct Octet : IEquatable<Octet>
{
    public long A;
    public long B;
    public long C;
    public long D;
    public long E;
    public long F;
    public long G;
    public long H;

    public static Octet Of(long k) => new() { A = k, B = k, C = k, D = k, E = k, F = k, G = k, H = k };

    /// <summary>True if every field holds the same number.</summary>
    public readonly bool IsConsistent => A == B && A == C && A == D && A == E && A == F && A == G && A == H;

    public readonly bool Equals(Octet other) =>
        A == other.A && B == other.B && C == other.C && D == other.D && E == other.E && F == other.F && G == other.G && H == other.H;

    public override readonly bool Equals(object? obj) => obj is Octet o && Equals(o);

    public override readonly int GetHashCode() => HashCode.Combine(A, B, C, D, E, F, G, H);

    public override readonly string ToString() => $"{A},{B},{C},{D},{E},{F},{G},{H}";

    public static bool operator ==(Octet left, Octet right) => left.Equals(right);

    public static bool operator !=(Octet left, Octet right) => !left.Equals(right);
}

/// <summary>4 bytes: smaller than <see cref="Octet"/>.</summary>
public struct Small
{
    public int X;
}

/// <summary>80 bytes: larger than <see cref="Octet"/>, so its region is larger too.</summary>
public struct Big
{
    public long A;
    public long B;
    public long C;
    public long D;
    public long E;
    public long F;
    public long G;
    public long H;
    public long I;
    public long J;
}

/// <summary>A type whose name is longer than 16 characters, for messages that name it.</summary>
public struct InstrumentQuoteSnapshotRecord
{
    public long Bid;
    public long Ask;
}
