using Microsoft.Win32.SafeHandles;

namespace Memshare.Interop;

/// <summary>Windows named events and mutexes, and waits on them: the helper objects of a region.</summary>
internal static unsafe partial class Kernel32
{
    // Names are passed as NUL-terminated char* so that the wait path can build them on the stack.
    [LibraryImport(Lib, EntryPoint = "CreateEventExW", SetLastError = true)]
    internal static partial nint CreateEventEx(SecurityAttributes* attributes, char* name, uint flags, uint desiredAccess);

    [LibraryImport(Lib, EntryPoint = "OpenEventW", SetLastError = true)]
    internal static partial nint OpenEvent(uint desiredAccess, [MarshalAs(UnmanagedType.Bool)] bool inheritHandle, char* name);

    [LibraryImport(Lib, EntryPoint = "SetEvent", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool SetEvent(nint handle);

    [LibraryImport(Lib, EntryPoint = "CreateMutexExW", StringMarshalling = StringMarshalling.Utf16, SetLastError = true)]
    internal static partial SafeWaitHandle CreateMutexEx(SecurityAttributes* attributes, string name, uint flags, uint desiredAccess);

    [LibraryImport(Lib, EntryPoint = "ReleaseMutex", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool ReleaseMutex(SafeWaitHandle handle);

    [LibraryImport(Lib, EntryPoint = "WaitForSingleObject", SetLastError = true)]
    internal static partial uint WaitForSingleObject(nint handle, uint milliseconds);

    [LibraryImport(Lib, EntryPoint = "WaitForSingleObject", SetLastError = true)]
    internal static partial uint WaitForSingleObject(SafeWaitHandle handle, uint milliseconds);

    [LibraryImport(Lib, EntryPoint = "CloseHandle", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool CloseHandle(nint handle);

    internal const uint CREATE_EVENT_MANUAL_RESET = 0x1;
    internal const uint EVENT_MODIFY_STATE = 0x0002;
    internal const uint MUTEX_MODIFY_STATE = 0x0001;
    internal const uint SYNCHRONIZE = 0x00100000;
    internal const uint READ_CONTROL = 0x00020000;

    internal const uint WAIT_OBJECT_0 = 0;
    internal const uint WAIT_ABANDONED = 0x80;
    internal const uint WAIT_TIMEOUT = 0x102;
    internal const uint INFINITE = 0xFFFFFFFF;
}
