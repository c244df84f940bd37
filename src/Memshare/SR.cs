using System.Globalization;
using System.Text;

namespace Memshare;

/// <summary>Every user-facing message, in one place. Each states the rule, the actual value and the fix.</summary>
internal static class SR
{
    internal const string NameEmpty =
        "Region name is empty; names use 1 or more of letters, digits, '.', '_' and '-'.";
    internal const string NameTooLong =
        "Region name '{0}' has {1} characters; the maximum is {2}. Use a shorter name.";
    internal const string NameTooLongMacOS =
        "Region name '{0}' has {1} characters; macOS allows at most {2} (its shm names hold 31 characters with the leading '/'). Use a shorter name.";
    internal const string NameDots =
        "Region name '{0}' is not allowed; names may not be '.' or '..'.";
    internal const string NameBadChar =
        "Region name '{0}' contains '{1}'; names may use letters, digits, '.', '_' and '-'.";

    internal const string SizeNotPositive =
        "Size {0} for region '{1}' is not positive; give a size of at least 1 byte.";
    internal const string FileSizeNegative =
        "Size {1} for file '{0}' is negative; give 0 to map the file as it is, or the size to create or extend it to.";
    internal const string SizeTooLargeForSpan =
        "Region '{0}' view is {1} bytes, more than a Span can address (2 GiB); use GetSpan(offset, length) or DangerousGetPointer().";
    internal const string ViewOutOfRange =
        "View window at offset {1} with length {2} does not fit region '{0}' of {3} bytes; choose a window inside the region.";
    internal const string SpanOutOfRange =
        "Range at offset {1} with length {2} does not fit the {3}-byte view of region '{0}'.";
    internal const string CreateNeedsWrite =
        "Region '{0}' cannot be created read-only; create it with SharedMemoryAccess.ReadWrite and open it read-only elsewhere.";
    internal const string ReadOnlyView =
        "Region '{0}' is open read-only; open it with SharedMemoryAccess.ReadWrite to write.";
    internal const string SyncNeedsWrite =
        "{0} '{1}' cannot be opened read-only: {2}, so every use writes to its shared memory. Open it with SharedMemoryAccess.ReadWrite; to only look at it, use SharedMemoryCatalog.GetInfo(\"{1}\") or 'memshare info {1}'.";
    internal const string EventWrites = "Set and Reset change its state, and Wait consumes an auto-reset event and counts itself among the sleepers";
    internal const string LockWrites = "acquiring and releasing it store its owner, and a waiter counts itself among the sleepers";
    internal const string ChannelWrites = "writers and readers claim their role and record their positions in it";
    internal const string BadPermissions =
        "Permissions {1} for region '{0}' are not allowed; use only read and write bits (e.g. UserRead | UserWrite).";
    internal const string PersistentNotOnWindows =
        "Region '{0}': persistent regions are not supported on Windows, where a named mapping lives only while a handle is open. Keep a process holding it, or use SharedMemoryLifetime.Scoped.";

    internal const string RegionNotFound =
        "Region '{0}' does not exist. Create it first (SharedMemory.CreateNew / CreateOrOpen, or 'memshare create'), or check the name.";
    internal const string RegionExists =
        "Region '{0}' already exists. Open it with OpenExisting or CreateOrOpen, or remove it first ('memshare rm {0}').";
    internal const string RegionTooSmall =
        "Region '{0}' holds {1} bytes but {2} were requested. Open it with a size of at most {1}, or remove and recreate it.";
    internal const string RegionTruncated =
        "Region '{0}' is damaged: its backing file has {1} bytes but its header says {2}. A process probably truncated it; remove it ('memshare rm {0}') and recreate it.";
    internal const string RegionEmpty =
        "Region '{0}' is empty (0 bytes): it was truncated, or another program created it without a size. Remove it ('memshare rm {0}') and recreate it.";
    internal const string NotRegularFile =
        "Region '{0}' is not a regular file ({1}); refusing to open it. Remove '{2}' if it does not belong to you.";
    internal const string SymlinkRefused =
        "Region '{0}' is a symbolic link; refusing to follow it. Remove '{1}' if it does not belong to you.";
    internal const string OtherOwner =
        "Region '{0}' is owned by uid {1}, not by you (uid {2}); refusing to open it. Pass AllowOtherOwner = true if you trust that user.";
    internal const string AccessDenied =
        "Access to region '{0}' was denied ({1}). Ask its owner to create it with wider Permissions, or run as that user.";
    internal const string NoSpace =
        "Not enough shared memory to create region '{0}' of {1} bytes ({2}). Free space in /dev/shm ('memshare ls', 'memshare rm NAME') or use a smaller size.";
    internal const string BusyRemoving =
        "Region '{0}' stayed locked by a process that is removing it for {1} s; try again, or check for a stopped process holding it.";
    internal const string OsError =
        "Could not {1} region '{0}': {2} (error {3}).";

    internal const string HeaderTooSmall =
        "Region '{0}' has {1} bytes, too few for a Memshare {2} header; it is a raw region or belongs to another program.";
    internal const string BadMagic =
        "Region '{0}' is not a Memshare {1}: its header magic is 0x{2:X16}, expected 0x{3:X16}. It is a raw region or belongs to another program; open it with SharedMemory instead.";
    internal const string BadVersion =
        "Region '{0}' uses layout version {1}, but this Memshare reads version {2}. Use the same Memshare version in every process.";
    internal const string WrongKind =
        "Region '{0}' holds a Memshare {1}, not the {2} it was opened as. Open it with the matching type.";
    internal const string ValueTypeMismatch =
        "Region '{0}' holds a SharedValue<{1}> of {2} bytes (fingerprint 0x{3:X16}) but was opened as SharedValue<{4}> of {5} bytes (fingerprint 0x{6:X16}). Open it with the same type in every process.";
    internal const string BadHeaderField =
        "Region '{0}' has a corrupt header: {1}. Remove it ('memshare rm {0}') and recreate it.";

    internal const string StringTooLong =
        "The string is {1} UTF-8 bytes but string slot '{0}' holds at most {2}; the slot was not changed. Create the slot with a larger capacity.";
    internal const string CapacityOutOfRange =
        "Capacity {1} for string slot '{0}' is out of range; use 1 to {2} bytes.";
    internal const string LockTimeout =
        "Timed out after {1} ms waiting for the writer lock of '{0}', held by process {2}.";
    internal const string SharedLockTimeout =
        "Timed out after {1} ms waiting for lock '{0}', held by {2}. Retry, raise the timeout, or find what keeps it ('memshare info {0}').";

    internal const string ChannelCapacity =
        "Capacity {1} for channel '{0}' is not allowed; use a power of two from 4096 to 1073741824 bytes.";
    internal const string ChannelReaders =
        "MaxReaders {1} for channel '{0}' is out of range; use 1 to {2}.";
    internal const string ChannelModeUnknown =
        "Mode {1} for channel '{0}' is not a ChannelMode; use SingleProducer, MultiProducer or Broadcast.";
    internal const string ChannelOverflowUnknown =
        "Overflow {1} for channel '{0}' is not a ChannelOverflow; use BackPressure or Overrun.";
    internal const string EventModeUnknown =
        "Mode {1} for event '{0}' is not an EventResetMode; use EventResetMode.AutoReset or EventResetMode.ManualReset.";
    internal const string ChannelMessageTooLarge =
        "A message of {1} bytes is larger than channel '{0}' accepts ({2} bytes, half its capacity less a 16-byte header); nothing was written. Split the message or create the channel with a larger capacity.";
    internal const string ChannelRoleTaken =
        "Channel '{0}' already has a {1} (process {2}); a {3} channel allows one at a time. Close it first, or use {4}.";
    internal const string ChannelClaimPending =
        "Channel '{0}': commit or abandon the claimed message before claiming another.";
    internal const string ChannelNoClaim =
        "Channel '{0}': there is no claimed message to commit; call TryClaim first.";
    internal const string ChannelBufferTooSmall =
        "The buffer holds {1} bytes but the next message on channel '{0}' has {2}; the message was not consumed. Pass a buffer of at least {2} bytes (MaxMessageLength always suffices).";
    internal const string ChannelNoPeek =
        "Channel '{0}': there is no peeked message to consume; call TryPeek before Advance.";
    internal const string ChannelNotReadAhead =
        "Channel '{0}': only {1} messages are read ahead; read them with TryReadAhead before advancing past them.";
    internal const string ChannelPeekOverrun =
        "Channel '{0}' overruns slow readers, so a message cannot be read in place (the writer may overwrite it meanwhile); use TryRead with a buffer.";

    // Windows backend.
    internal const string OtherOwnerWindows =
        "Region '{0}' is owned by {1}, not by you ({2}); refusing to open it. Pass AllowOtherOwner = true if you trust that account.";
    internal const string OtherOwnerUnknownWindows =
        "Region '{0}' can be mapped but its owner cannot be read by you ({1}): {2}. It was made by another account; pass AllowOtherOwner = true if you trust it.";
    internal const string GlobalNeedsPrivilege =
        "Region '{0}' cannot be created in the Global\\ namespace: outside session 0 that needs the SeCreateGlobalPrivilege right ('Create global objects'), which services and elevated administrators have. Run the creator as a service or elevated, grant the right to its account, or create the region with WindowsGlobalNamespace = false (Local\\, this session only).";
    internal const string InitTimeoutWindows =
        "Region '{0}' is being initialised by another process, which has not finished within {1} s. Try again later; if it persists, find and end the process stuck creating '{0}' (its initializer hangs).";

    // The macOS lock-file protocol (Platform/LockFileRegion.cs).
    internal const string LockDirNotDirectory =
        "The lock directory '{1}' of region '{0}' is {2}, not a directory; refusing to use it. Remove it if it does not belong to you; Memshare recreates it.";
    internal const string LockDirOwner =
        "The lock directory '{1}' of region '{0}' is owned by uid {2}, neither root nor you (uid {3}); refusing to use it, since its owner could remove your lock files. Have an administrator create it: 'sudo install -d -m 1777 -o root {1}'.";
    internal const string LockDirMode =
        "The lock directory '{1}' of region '{0}' has mode {2} without the sticky bit, so other users could remove your lock files; refusing to use it. Have its owner run 'chmod 1777 {1}'.";
    internal const string LockFileCorrupt =
        "Region '{0}' has a lock file '{1}' that is not a Memshare lock file ({2}); refusing to use it. Remove the region ('memshare rm {0}') if no process uses it.";
    internal const string InitTimeout =
        "Region '{0}' is still being initialised by process {1} after {2} s; its initializer seems stuck. Stop that process, or retry once it has finished.";
    internal const string OrphanLock =
        "Region '{0}' was removed by name, but processes that still hold it keep its lock file '{1}' for {2} s. Run 'memshare rm {0}' to free the name, or close those processes.";
    internal const string NoSpaceMacOS =
        "Not enough shared memory to create region '{0}' of {1} bytes ({2}). Close or remove other regions ('memshare rm NAME'), or use a smaller size.";
    internal const string TimeoutNegative = "{0} '{1}': use a non-negative timeout or Timeout.InfiniteTimeSpan, not {2}.";
    internal const string CatalogLinuxOnly =
        "Listing and inspecting regions is supported only on Linux, where regions are files in /dev/shm; {0} offers no way to enumerate named shared memory. Open a region by name with SharedMemory.OpenExisting instead.";
    internal const string NoStaleOnWindows =
        "There are no stale regions to remove on Windows: a named mapping is freed by the kernel when its last handle closes, even if its holders crashed.";
    internal const string NoStaleListingOnMac =
        "Removing stale regions is not supported on macOS, which offers no way to enumerate named shared memory. A stale scoped region (every holder died) is removed by the next Memshare process that opens or creates its name.";
    internal const string OsUnsupported = "Memshare supports Linux, macOS and Windows; this OS is none of them.";
    internal const string FileMissing = "File '{0}' does not exist; create it, or map it read-write with a size.";
    internal const string StringDestinationSmall = "The destination holds {0} bytes; string slot '{1}' needs room for {2}. Pass a buffer of at least Capacity bytes.";


    internal static string Format(string format, params object?[] args) =>
        string.Format(CultureInfo.InvariantCulture, format, args);

    /// <summary>Keeps a long name readable in a message.</summary>
    internal static string Shorten(string name) => name.Length <= 40 ? Printable(name) : Printable(name[..37]) + "...";

    /// <summary>Shows control characters as \uXXXX so a message never carries raw control bytes.</summary>
    internal static string Printable(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (char.IsControl(c))
            {
                sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }
}
