namespace Memshare.Platform;

/// <summary>
/// The exact size of a Windows region, kept in the slack of its last page. Windows rounds a pagefile-backed
/// section up to whole pages and keeps no other size (<c>VirtualQuery</c> and <c>NtQuerySection</c> both report
/// pages), so without this an opener of a 256-byte region would see 4096 bytes.
/// </summary>
/// <remarks>
/// <para>A region whose size is a whole number of pages needs nothing. Any other gets a 24-byte trailer in the
/// last 24 bytes of its section, past the region's own bytes: <c>Magic</c>, the size, and the size's complement
/// (all u64, little-endian). If the last page has fewer than 24 bytes to spare, the section gets one more page.
/// An opener that finds a valid trailer takes its size (the one whose section is exactly this long); otherwise (a whole-page region, or a section made by another program) the section's size.</para>
/// <para>No view ever reaches the trailer: views end at the region's size.</para>
/// </remarks>
internal static unsafe class WindowsSizeTrailer
{
    /// <summary>ASCII "MSHSIZE1" as a little-endian u64.</summary>
    private const ulong Magic = 0x31455A495348534D;

    private const int Length = 24;

    /// <summary>The section size to create for a region of <paramref name="size"/> bytes.</summary>
    internal static long SectionSize(long size)
    {
        long page = Environment.SystemPageSize;
        long rounded = (size + page - 1) / page * page;
        return rounded == size ? size : rounded - size >= Length ? rounded : rounded + page;
    }

    /// <summary>Writes the trailer into a new section of <paramref name="sectionSize"/> bytes, if it needs one.</summary>
    internal static void Write(byte* section, long sectionSize, long size)
    {
        if (sectionSize == size)
        {
            return;
        }

        ulong* trailer = (ulong*)(section + sectionSize - Length);
        trailer[0] = Magic;
        trailer[1] = (ulong)size;
        trailer[2] = ~(ulong)size;
    }

    /// <summary>The region's size in a section whose mapping spans <paramref name="mapped"/> bytes.</summary>
    internal static long Read(byte* section, long mapped)
    {
        if (mapped < Length)
        {
            return mapped;
        }

        ulong* trailer = (ulong*)(section + mapped - Length);
        ulong size = Volatile.Read(ref trailer[1]);
        bool valid = trailer[0] == Magic && trailer[2] == ~size && size < (ulong)mapped && SectionSize((long)size) == mapped;
        return valid ? (long)size : mapped;
    }
}
