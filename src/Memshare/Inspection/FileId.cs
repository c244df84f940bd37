namespace Memshare.Inspection;

/// <summary>Identifies a file on Linux: its device (major:minor) and inode, as <c>statx</c> and <c>/proc/locks</c> report them.</summary>
internal readonly record struct FileId(uint DevMajor, uint DevMinor, ulong Inode);
