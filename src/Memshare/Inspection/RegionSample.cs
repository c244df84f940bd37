namespace Memshare.Inspection;

/// <summary>
/// One look at a region for <c>memshare watch</c>: what the catalog reports, plus the start of its current
/// contents, read through the same descriptor and, like everything in the catalog, without becoming a holder.
/// </summary>
/// <param name="Info">The region as <see cref="SharedMemoryCatalog.Get"/> describes it.</param>
/// <param name="Payload">
/// A value's bytes or a string's UTF-8 text from one consistent read (the seqlock reader protocol), the first
/// bytes of any other region; at most the limit asked for. Null if no consistent read succeeded or the file is
/// too short.
/// </param>
/// <param name="Sequence">For a value or string, the write count the payload belongs to; otherwise null.</param>
/// <param name="Recoveries">For a value or string, how many times a writer took the lock over from a dead one; otherwise null.</param>
internal sealed record RegionSample(SharedMemoryInfo Info, byte[]? Payload, long? Sequence, long? Recoveries);
