namespace Memshare;

/// <summary>
/// How to create or open a region, for every Memshare type: access, lifetime, permissions, owner and namespace.
/// Every factory takes these last, as <c>SharedMemoryOptions? options = null</c>.
/// </summary>
public sealed record SharedMemoryOptions
{
    /// <summary>The settings used when none are given.</summary>
    public static SharedMemoryOptions Default { get; } = new();

    /// <summary>The default settings with <see cref="SharedMemoryAccess.Read"/>, for opening a region read-only.</summary>
    public static SharedMemoryOptions ReadOnly { get; } = new() { Access = SharedMemoryAccess.Read };

    /// <summary>
    /// Read-write (the default) or read-only mapping. Creating a region requires read-write, and so does every use of
    /// a <see cref="SharedLock"/>, <see cref="SharedEvent"/> or <see cref="SharedChannel"/>.
    /// </summary>
    public SharedMemoryAccess Access { get; init; } = SharedMemoryAccess.ReadWrite;

    /// <summary>What a new region's lifetime is. Ignored when opening: the creator chose.</summary>
    public SharedMemoryLifetime Lifetime { get; init; } = SharedMemoryLifetime.Scoped;

    /// <summary>
    /// Who may open a new region. The default is owner read/write (0600) whatever the umask. Only the read and
    /// write bits are allowed. On Windows, any group or other bit grants access to Everyone; otherwise only
    /// the current user has access.
    /// </summary>
    public UnixFileMode Permissions { get; init; } = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Open a region that another user owns. Off by default, so a name squatted by another user is refused.</summary>
    public bool AllowOtherOwner { get; init; }

    /// <summary>Windows only: use the <c>Global\</c> namespace (visible across sessions) instead of <c>Local\</c>.</summary>
    public bool WindowsGlobalNamespace { get; init; }
}
