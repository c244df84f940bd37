using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Memshare.Interop;

/// <summary>Windows file-mapping, process and security calls.</summary>
internal static unsafe partial class Kernel32
{
    private const string Lib = "kernel32.dll";

    [LibraryImport(Lib, EntryPoint = "CreateFileMappingW", StringMarshalling = StringMarshalling.Utf16, SetLastError = true)]
    internal static partial SafeMemoryMappedFileHandle CreateFileMapping(
        nint hFile, SecurityAttributes* attributes, uint protect, uint maximumSizeHigh, uint maximumSizeLow, string name);

    [LibraryImport(Lib, EntryPoint = "OpenFileMappingW", StringMarshalling = StringMarshalling.Utf16, SetLastError = true)]
    internal static partial SafeMemoryMappedFileHandle OpenFileMapping(
        uint desiredAccess, [MarshalAs(UnmanagedType.Bool)] bool inheritHandle, string name);

    [LibraryImport(Lib, EntryPoint = "MapViewOfFile", SetLastError = true)]
    internal static partial void* MapViewOfFile(
        SafeMemoryMappedFileHandle mapping, uint desiredAccess, uint offsetHigh, uint offsetLow, nuint bytes);

    [LibraryImport(Lib, EntryPoint = "UnmapViewOfFile", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool UnmapViewOfFile(void* address);

    [LibraryImport(Lib, EntryPoint = "VirtualQuery", SetLastError = true)]
    internal static partial nuint VirtualQuery(void* address, out MemoryBasicInformation buffer, nuint length);

    [LibraryImport(Lib, EntryPoint = "LocalFree")]
    internal static partial nint LocalFree(nint memory);

    internal const nint INVALID_HANDLE_VALUE = -1;
    internal const uint PAGE_READWRITE = 0x04;
    internal const uint SEC_COMMIT = 0x8000000;
    internal const uint FILE_MAP_WRITE = 0x0002;
    internal const uint FILE_MAP_READ = 0x0004;

    internal const int ERROR_FILE_NOT_FOUND = 2;
    internal const int ERROR_ACCESS_DENIED = 5;
    internal const int ERROR_NOT_ENOUGH_MEMORY = 8;
    internal const int ERROR_INVALID_HANDLE = 6;
    internal const int ERROR_COMMITMENT_LIMIT = 1455;
    internal const int ERROR_ALREADY_EXISTS = 183;

    [StructLayout(LayoutKind.Sequential)]
    internal struct SecurityAttributes
    {
        public int Length;
        public nint SecurityDescriptor;
        public int InheritHandle;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct MemoryBasicInformation
    {
        public nint BaseAddress;
        public nint AllocationBase;
        public uint AllocationProtect;
        public nuint RegionSize;
        public uint State;
        public uint Protect;
        public uint Type;
    }
}
