namespace Memshare;

/// <summary>When a named region goes away.</summary>
public enum SharedMemoryLifetime
{
    /// <summary>
    /// The region disappears when the last process that has it open closes it or dies, as a Windows named file
    /// mapping does. A region whose holders all died is stale: later opens treat it as absent.
    /// </summary>
    Scoped = 0,

    /// <summary>The region stays until <see cref="SharedMemory.Remove(string)"/> (or <c>memshare rm</c>) or a reboot.</summary>
    Persistent = 1,
}
