using System.Runtime.InteropServices;

namespace Memshare.Benchmarks.Ipc;

/// <summary>
/// floor-ring's C code (bench/floor/floor-ring-lib.c) loaded into this process, run on a <see cref="ManagedRingLink"/>'s
/// rings, whose layout is floor-ring's: the C ring's own loops in the harness's processes, over the harness's memory.
/// Against <c>floor-ring</c> (the same code in processes of its own) it shows what the processes cost; against the bare
/// C# ring in the same processes, what the code does. Each call runs a whole phase, so no message crosses into C, and
/// sends from the link's own send buffer, as the C# loops do.
/// </summary>
internal sealed unsafe class CRingLoops : IDisposable
{
    /// <summary>FLOOR_RING_STALLED: what a call returns when the peer was silent for 10 s.</summary>
    private const int Stalled = -2;

    private readonly nint _library;
    private readonly delegate* unmanaged<byte*, long*, uint, long, byte*, int> _produce;
    private readonly delegate* unmanaged<byte*, long*, uint, long, byte*, double> _consume;
    private readonly delegate* unmanaged<byte*, long*, byte*, long*, byte*, int> _echo;
    private readonly delegate* unmanaged<byte*, long*, byte*, long*, uint, int, long*, byte*, byte*, int> _roundTrips;

    internal CRingLoops(string path)
    {
        _library = NativeLibrary.Load(path);
        _produce = (delegate* unmanaged<byte*, long*, uint, long, byte*, int>)NativeLibrary.GetExport(_library, "floor_ring_produce");
        _consume = (delegate* unmanaged<byte*, long*, uint, long, byte*, double>)NativeLibrary.GetExport(_library, "floor_ring_consume");
        _echo = (delegate* unmanaged<byte*, long*, byte*, long*, byte*, int>)NativeLibrary.GetExport(_library, "floor_ring_echo");
        _roundTrips = (delegate* unmanaged<byte*, long*, byte*, long*, uint, int, long*, byte*, byte*, int>)NativeLibrary.GetExport(_library, "floor_ring_round_trips");
    }

    /// <summary>Streams <paramref name="size"/>-byte messages on the link's outbound ring for <paramref name="duration"/>, then the end marker.</summary>
    internal void Stream(ManagedRingLink link, int size, TimeSpan duration)
    {
        long* positions = stackalloc long[] { link.WritePosition, link.FreedPosition };
        int result;
        fixed (byte* b = link.SendBuffer(IpcSettings.MaxMessage))
        {
            result = _produce(link.Outbound, positions, (uint)size, (long)duration.TotalMilliseconds, b);
        }

        ThrowIfStalled(result);
        (link.WritePosition, link.FreedPosition) = (positions[0], positions[1]);
    }

    /// <summary>
    /// Consumes a stream from the link's inbound ring; messages per second after <paramref name="warmup"/>, and in
    /// <paramref name="messages"/> how many it read, the warm-up's too, as <see cref="Measure.Consume"/>. Adds the
    /// reads that found the consumer caught up with the producer to the link's <see cref="ManagedRingLink.CaughtUp"/>.
    /// </summary>
    internal double Consume(ManagedRingLink link, int size, TimeSpan warmup, byte[] buffer, out long messages)
    {
        long* positions = stackalloc long[] { link.ReadPosition, 0, 0 };
        double rate;
        fixed (byte* b = buffer)
        {
            rate = _consume(link.Inbound, positions, (uint)size, (long)warmup.TotalMilliseconds, b);
        }

        ThrowIfStalled((int)rate);
        link.ReadPosition = positions[0];
        messages = positions[1];
        link.CaughtUp += positions[2];
        return rate >= 0 ? rate : throw new InvalidDataException("floor-ring's C loops received a wrong message (see standard error).");
    }

    /// <summary>Echoes messages until the empty one, as the peer of <see cref="RoundTrips"/>.</summary>
    internal void Echo(ManagedRingLink link)
    {
        long* inbound = stackalloc long[] { link.ReadPosition };
        long* outbound = stackalloc long[] { link.WritePosition, link.FreedPosition };
        int result;
        fixed (byte* b = link.SendBuffer(IpcSettings.MaxMessage))
        {
            result = _echo(link.Inbound, inbound, link.Outbound, outbound, b);
        }

        ThrowIfStalled(result);
        link.ReadPosition = inbound[0];
        (link.WritePosition, link.FreedPosition) = (outbound[0], outbound[1]);
    }

    /// <summary><paramref name="count"/> timed round trips; their percentiles.</summary>
    internal RoundTripStats RoundTrips(ManagedRingLink link, int size, int count, byte[] receive)
    {
        long* outbound = stackalloc long[] { link.WritePosition, link.FreedPosition };
        long* inbound = stackalloc long[] { link.ReadPosition };
        var nanoseconds = new long[count];
        int result;
        fixed (byte* s = link.SendBuffer(IpcSettings.MaxMessage), r = receive)
        fixed (long* ns = nanoseconds)
        {
            result = _roundTrips(link.Outbound, outbound, link.Inbound, inbound, (uint)size, count, ns, s, r);
        }

        ThrowIfStalled(result);
        (link.WritePosition, link.FreedPosition) = (outbound[0], outbound[1]);
        link.ReadPosition = inbound[0];
        if (result != 0)
        {
            throw new InvalidDataException("floor-ring's C loops got a wrong echo (see standard error).");
        }

        // Nanoseconds as Stopwatch ticks, for the shared percentile code.
        double ticksPerNs = System.Diagnostics.Stopwatch.Frequency / 1e9;
        long[] ticks = [.. nanoseconds.Select(n => (long)(n * ticksPerNs))];
        return RoundTripStats.FromTicks(ticks);
    }

    public void Dispose() => NativeLibrary.Free(_library);

    /// <summary>Ends the run on a stalled peer as the C# loops' <see cref="Stall"/> does.</summary>
    private static void ThrowIfStalled(int result)
    {
        if (result == Stalled)
        {
            throw new TimeoutException($"Waited {IpcSettings.StallLimit.TotalSeconds:F0} s in floor-ring's C loops; the peer process is gone or stuck.");
        }
    }
}
