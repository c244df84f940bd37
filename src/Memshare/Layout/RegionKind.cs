namespace Memshare.Layout;

/// <summary>What a Memshare-formatted region holds; stored in <see cref="RegionHeader.Kind"/>.</summary>
internal enum RegionKind : ushort
{
    Value = 1,
    String = 2,
    Channel = 3,
    Lock = 4,
    Event = 5,
}
