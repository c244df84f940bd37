namespace SharedMemDll;

/// <summary>The return codes of the exports; sharedmem.h declares the same values.</summary>
internal enum Status
{
    Ok = 0,

    /// <summary>The text is longer than the slot's capacity; nothing was stored.</summary>
    TooLong = 1,

    /// <summary>The caller's buffer cannot hold the string and its terminator; *length says how much is needed.</summary>
    BufferTooSmall = 2,

    /// <summary>A null pointer, or text that is not valid UTF-16 / UTF-8.</summary>
    InvalidArgument = 3,

    /// <summary>The region could not be opened or created (e.g. it is not a string slot, or access is denied).</summary>
    Error = 4,
}
