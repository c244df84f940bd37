namespace Memshare.AotPeer;

// The value shapes the AOT-vs-JIT tests share: one per layout feature the fingerprint has to agree on.

/// <summary>A record struct: its fields are compiler-generated backing fields.</summary>
public readonly record struct Quote(double Bid, double Ask, int Size);

/// <summary>Same size and field kinds as <see cref="Quote"/> but another type: must be refused.</summary>
public readonly record struct QuoteTwin(double Bid, double Ask, int Size);

/// <summary>Explicit layout with overlapping fields and a gap.</summary>
[StructLayout(LayoutKind.Explicit, Size = 24)]
public struct Overlay
{
    [FieldOffset(0)] public long Bits;
    [FieldOffset(0)] public double Value;
    [FieldOffset(8)] public int Low;
    [FieldOffset(14)] public short Tag;
    [FieldOffset(16)] public ulong Stamp;

    public override readonly string ToString() => FormattableString.Invariant($"{Value:R}/{Low}/{Tag}/{Stamp:X}");
}

public struct Price
{
    public long Mantissa;
    public sbyte Exponent;

    public override readonly string ToString() => FormattableString.Invariant($"{Mantissa}e{Exponent}");
}

/// <summary>Nested structs, one of them a record struct.</summary>
public struct Order
{
    public int Id;
    public Quote Best;
    public Price Limit;
    public ushort Venue;

    public override readonly string ToString() => $"{Id}/{Best}/{Limit}/{Venue}";
}

/// <summary>Fixed buffers of two element kinds.</summary>
public unsafe struct Label
{
    public int Length;
    public fixed char Text[16];
    public fixed byte Flags[5];

    public override readonly string ToString()
    {
        fixed (char* text = Text)
        fixed (byte* flags = Flags)
        {
            return $"{Length}/{new string(text, 0, 16)}/{Convert.ToHexString(new ReadOnlySpan<byte>(flags, 5))}";
        }
    }
}

public enum Side : byte
{
    Buy = 1,
    Sell = 2,
}

[Flags]
public enum Venues : long
{
    None = 0,
    Primary = 1,
    Dark = 1L << 40,
}

/// <summary>Enum, bool and char fields, which have their own managed sizes (bool 1, char 2).</summary>
public struct Status
{
    public Side Side;
    public bool Active;
    public char Code;
    public Venues Venues;
    public bool Halted;

    public override readonly string ToString() => $"{Side}/{Active}/{(int)Code:X4}/{Venues}/{Halted}";
}

/// <summary>A generic struct, shared as <c>Pair&lt;short, Price&gt;</c>.</summary>
public struct Pair<TFirst, TSecond>
    where TFirst : unmanaged
    where TSecond : unmanaged
{
    public TFirst First;
    public TSecond Second;

    public override readonly string ToString() => $"{First}/{Second}";
}
