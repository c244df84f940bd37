namespace Memshare.AotPeer;

/// <summary>A distinct, deterministic value of each shape per seed, so each side can check what the other wrote.</summary>
internal static unsafe class Values
{
    public static Quote Quote(int seed) => new(100.25 * seed, 100.5 * seed, 10 * seed);

    public static QuoteTwin QuoteTwin(int seed) => new(1.5 * seed, 2.5 * seed, seed);

    public static Overlay Overlay(int seed) => new() { Value = 3.75 * seed, Low = -seed, Tag = (short)(7 * seed), Stamp = 0xF00D_0000_0000UL + (ulong)seed };

    public static Order Order(int seed) => new()
    {
        Id = 1000 + seed,
        Best = Quote(seed),
        Limit = new Price { Mantissa = -12345 * seed, Exponent = -4 },
        Venue = (ushort)(40000 + seed),
    };

    public static Label Label(int seed)
    {
        Label label = default;
        string text = $"label-{seed}-é€";
        label.Length = text.Length;
        for (int i = 0; i < text.Length; i++)
        {
            label.Text[i] = text[i];
        }

        for (int i = 0; i < 5; i++)
        {
            label.Flags[i] = (byte)((seed * 31) + i);
        }

        return label;
    }

    public static Status Status(int seed) => new()
    {
        Side = seed % 2 == 0 ? Side.Sell : Side.Buy,
        Active = seed % 2 == 1,
        Code = (char)('Ā' + seed),
        Venues = AotPeer.Venues.Dark | AotPeer.Venues.Primary,
        Halted = seed % 2 == 0,
    };

    public static Pair<short, Price> Pair(int seed) => new() { First = (short)(-seed), Second = new Price { Mantissa = seed, Exponent = 2 } };
}
