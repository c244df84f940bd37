using System.Globalization;
using System.Numerics;
using Memshare.Layout;

namespace Memshare.Channels;

/// <summary>A channel's fixed shape, decoded from its header (docs/format.md, "Channel").</summary>
internal readonly record struct ChannelGeometry(int Capacity, int MaxReaders, ChannelMode Mode, ChannelOverflow Overflow, int MaxMessage)
{
    /// <summary>Broadcast with overrun: the writer never waits and slow readers lose messages.</summary>
    internal bool Overruns => Mode == ChannelMode.Broadcast && Overflow == ChannelOverflow.Overrun;

    /// <summary>
    /// The channel header's rules, checked once for every caller: the live channel stops at the first problem,
    /// the inspector collects them all. Each problem is a phrase for "Region 'x' has a corrupt header: ...".
    /// Fields that cannot be decoded come back null.
    /// </summary>
    internal static (ChannelMode? Mode, ChannelOverflow? Overflow) Check(
        long capacity, long headerSize, long totalSize, in ChannelConfig config, List<string> problems, bool firstOnly)
    {
        bool capacityValid = IsValidCapacity(capacity);
        if (!capacityValid)
        {
            problems.Add(Format("capacity {0} is not a power of two from {1} to {2} bytes", capacity, ChannelLayout.MinCapacity, ChannelLayout.MaxCapacity));
        }

        ChannelMode? mode = config.Mode is >= 0 and <= 2 ? (ChannelMode)config.Mode : null;
        if (mode is null)
        {
            problems.Add(Format("the mode field holds {0}, not 0 (single-producer), 1 (multi-producer) or 2 (broadcast)", config.Mode));
        }

        bool broadcast = mode == ChannelMode.Broadcast;
        bool readersValid = broadcast ? config.MaxReaders is >= 1 and <= ChannelLayout.MaxReadersLimit : config.MaxReaders == 1;
        if (!readersValid)
        {
            problems.Add(Format("the channel claims {0} reader indexes; a broadcast channel has 1 to {1}, any other exactly 1", config.MaxReaders, ChannelLayout.MaxReadersLimit));
        }

        ChannelOverflow? overflow = config.Overflow is >= 0 and <= 1 ? (ChannelOverflow)config.Overflow : null;
        if (overflow is null || (!broadcast && overflow != ChannelOverflow.BackPressure))
        {
            problems.Add(Format("the overflow field holds {0}; it is 0 (back-pressure) or, on a broadcast channel only, 1 (overrun)", config.Overflow));
        }

        if (capacityValid && config.MaxMessage != ChannelLayout.MaxMessage((int)capacity))
        {
            problems.Add(Format("the largest message is recorded as {0} bytes, but a ring of {1} bytes allows {2}", config.MaxMessage, capacity, ChannelLayout.MaxMessage((int)capacity)));
        }

        if (capacityValid && readersValid
            && (headerSize != ChannelLayout.DataOffset(config.MaxReaders) || totalSize != ChannelLayout.TotalSize((int)capacity, config.MaxReaders)))
        {
            problems.Add(Format("header size {0} and total size {1} do not match a ring of {2} bytes with {3} reader indexes ({4} and {5})",
                headerSize, totalSize, capacity, config.MaxReaders, ChannelLayout.DataOffset(config.MaxReaders), ChannelLayout.TotalSize((int)capacity, config.MaxReaders)));
        }

        if (firstOnly && problems.Count > 1)
        {
            problems.RemoveRange(1, problems.Count - 1);
        }

        return (mode, overflow);
    }

    /// <summary>The live channel's decoder: the geometry, or <see cref="RegionFormatException"/> naming the first problem.</summary>
    internal static ChannelGeometry Decode(string name, in RegionHeader header, in ChannelConfig config)
    {
        var problems = new List<string>(1);
        (ChannelMode? mode, ChannelOverflow? overflow) = Check(header.PayloadSize, header.HeaderSize, header.TotalSize, config, problems, firstOnly: true);
        if (problems.Count != 0)
        {
            ThrowHelper.ThrowFormat(name, SR.BadHeaderField, name, problems[0]);
        }

        return new ChannelGeometry((int)header.PayloadSize, config.MaxReaders, mode!.Value, overflow!.Value, config.MaxMessage);
    }

    /// <summary>A ring size the format allows: a power of two from 4 KiB to 1 GiB.</summary>
    internal static bool IsValidCapacity(long capacity) =>
        capacity is >= ChannelLayout.MinCapacity and <= ChannelLayout.MaxCapacity && BitOperations.IsPow2(capacity);

    internal static string Format(string format, params object[] args) => string.Format(CultureInfo.InvariantCulture, format, args);
}
