namespace Memshare;

/// <summary>
/// Copies a message into or out of shared memory as <see cref="Span{T}.CopyTo"/> does, but around one slow case of the
/// C runtime's <c>memmove</c>, which .NET hands every copy above 2 KiB: with the destination 1 to 31 bytes past the
/// source modulo 4 KiB, glibc's <c>rep movsb</c> path runs 10-25 times slower on this project's AMD EPYC VMs (a 64 KiB
/// copy in 22-36 µs instead of 1.5 µs). Records start at 16-byte steps that cycle through the page as the ring
/// wraps, so with a given user buffer one record in a lap can hit it; a channel streaming 64 KiB messages ran at half
/// speed. Such copies go in 2 KiB pieces, which .NET copies itself with vector moves at full speed (overlapping
/// spans, where the pieces' order would matter, are left to <c>memmove</c>).
/// </summary>
internal static class BulkCopy
{
    /// <summary>Above this, .NET's copy calls the C runtime (glibc uses <c>rep movsb</c> from 4 KiB).</summary>
    private const int ManagedLimit = 2048;

    /// <summary>The distances (destination minus source, modulo 4 KiB) that <c>rep movsb</c> handles slowly.</summary>
    private const int SlowDistance = 32;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Copy(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (source.Length > ManagedLimit && IsSlowDistance(source, destination) && !source.Overlaps(destination))
        {
            CopyInPieces(source, destination);
            return;
        }

        source.CopyTo(destination);
    }

    /// <summary>Whether the destination starts 1 to 31 bytes past the source modulo 4 KiB (an address comparison: nothing is read).</summary>
    private static bool IsSlowDistance(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        nint distance = Unsafe.ByteOffset(ref MemoryMarshal.GetReference(source), ref MemoryMarshal.GetReference(destination));
        return (uint)((distance & 4095) - 1) < SlowDistance - 1;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void CopyInPieces(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (source.Length > destination.Length)
        {
            source.CopyTo(destination); // throws as CopyTo does
        }

        for (int offset = 0; offset < source.Length; offset += ManagedLimit)
        {
            int length = Math.Min(ManagedLimit, source.Length - offset);
            source.Slice(offset, length).CopyTo(destination.Slice(offset, length));
        }
    }
}
