using System.Runtime.CompilerServices;

namespace Memshare.Benchmarks.Ipc;

/// <summary>
/// The measurement loops' calls on a link, made directly on the sealed class of the links whose messages cost tens
/// of nanoseconds (the bare C# ring and the channel's), through the interface for the rest. The loops are compiled
/// with <see cref="MethodImplOptions.AggressiveOptimization"/>, which leaves out the runtime's guarded
/// devirtualization, so every <see cref="IMessageLink"/> call was an interface dispatch: a few nanoseconds per call,
/// six calls per round trip, that the C floors (which call their ring directly) and a user (who calls
/// <see cref="SharedChannelWriter"/> directly) never pay. A type test is a compare of one word, and the direct call
/// can be inlined.
/// </summary>
internal static class DirectCall
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Span<byte> SendBuffer(IMessageLink link, int length) =>
        link.GetType() == typeof(SpinChannelLink) ? Unsafe.As<SpinChannelLink>(link).SendBuffer(length)
        : link.GetType() == typeof(ManagedRingLink) ? Unsafe.As<ManagedRingLink>(link).SendBuffer(length)
        : link.GetType() == typeof(BlockingChannelLink) ? Unsafe.As<BlockingChannelLink>(link).SendBuffer(length)
        : link.SendBuffer(length);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Send(IMessageLink link, int length)
    {
        if (link.GetType() == typeof(SpinChannelLink))
        {
            Unsafe.As<SpinChannelLink>(link).Send(length);
        }
        else if (link.GetType() == typeof(ManagedRingLink))
        {
            Unsafe.As<ManagedRingLink>(link).Send(length);
        }
        else if (link.GetType() == typeof(BlockingChannelLink))
        {
            Unsafe.As<BlockingChannelLink>(link).Send(length);
        }
        else
        {
            link.Send(length);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Receive(IMessageLink link, Span<byte> destination) =>
        link.GetType() == typeof(SpinChannelLink) ? Unsafe.As<SpinChannelLink>(link).Receive(destination)
        : link.GetType() == typeof(ManagedRingLink) ? Unsafe.As<ManagedRingLink>(link).Receive(destination)
        : link.GetType() == typeof(BlockingChannelLink) ? Unsafe.As<BlockingChannelLink>(link).Receive(destination)
        : link.Receive(destination);
}
