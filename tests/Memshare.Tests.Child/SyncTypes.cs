// Shared-memory payloads are plain fields by design: their layout is what the processes agree on.
#pragma warning disable CA1051

namespace Memshare.TestChild;

/// <summary>
/// 512 equal longs (4 KB): a read that mixes two writes has unequal items. Large, so that a writer killed at a
/// random instant is usually in the middle of copying one into its slot.
/// </summary>
public unsafe struct Kilo
{
    public const int Count = 512;

    public fixed long Items[Count];

    public static Kilo Of(long k)
    {
        Kilo v = default;
        new Span<long>(v.Items, Count).Fill(k);
        return v;
    }

    /// <summary>The first item: the version this value claims to be.</summary>
    public readonly long First => Items[0];

    /// <summary>True if every item holds the same number.</summary>
    public readonly bool IsConsistent
    {
        get
        {
            fixed (long* p = Items)
            {
                return !new ReadOnlySpan<long>(p, Count).ContainsAnyExcept(p[0]);
            }
        }
    }

    /// <summary>The first item and the first item that differs from it, for a message.</summary>
    public readonly string Describe()
    {
        fixed (long* p = Items)
        {
            var span = new ReadOnlySpan<long>(p, Count);
            int at = span.IndexOfAnyExcept(p[0]);
            return at < 0 ? $"all {p[0]}" : $"[0]={p[0]} but [{at}]={p[at]}";
        }
    }
}
