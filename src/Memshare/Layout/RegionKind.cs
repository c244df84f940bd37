using Memshare.Inspection;

namespace Memshare.Layout;

/// <summary>What a Memshare-formatted region holds; stored in <see cref="RegionHeader.Kind"/>.</summary>
/// <remarks>The public <see cref="RegionFormat"/> uses the same numbers, so a known kind converts by a cast.</remarks>
internal enum RegionKind : ushort
{
    Value = 1,
    String = 2,
    Channel = 3,
    Lock = 4,
    Event = 5,
}

/// <summary>The one place that names a kind code, for messages and for the inspector.</summary>
internal static class RegionKinds
{
    /// <summary>The kind as messages name it: the type a program opens it with.</summary>
    internal static string Name(ushort kind) => kind switch
    {
        (ushort)RegionKind.Value => "SharedValue",
        (ushort)RegionKind.String => "SharedString",
        (ushort)RegionKind.Channel => "channel",
        (ushort)RegionKind.Lock => "lock",
        (ushort)RegionKind.Event => "event",
        _ => $"region of unknown kind {kind}",
    };

    /// <summary>The kind as the public <see cref="RegionFormat"/>; <see cref="RegionFormat.Unknown"/> for a code this Memshare does not know.</summary>
    internal static RegionFormat Format(int kind) =>
        kind is >= (int)RegionKind.Value and <= (int)RegionKind.Event ? (RegionFormat)kind : RegionFormat.Unknown;
}
