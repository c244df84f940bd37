using Microsoft.Win32.SafeHandles;

namespace Memshare.Interop;

/// <summary>Windows security descriptors of kernel objects.</summary>
internal static unsafe partial class Advapi32
{
    private const string Lib = "advapi32.dll";

    [LibraryImport(Lib, EntryPoint = "ConvertStringSecurityDescriptorToSecurityDescriptorW",
        StringMarshalling = StringMarshalling.Utf16, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static partial bool ConvertStringSecurityDescriptorToSecurityDescriptor(
        string sddl, uint revision, out SafeLocalAllocHandle descriptor, nint descriptorSize);

    /// <summary>Returns a Win32 error code (not through GetLastError); the descriptor is freed with LocalFree.</summary>
    [LibraryImport(Lib, EntryPoint = "GetSecurityInfo")]
    internal static partial uint GetSecurityInfo(
        SafeHandle handle, uint objectType, uint securityInformation, nint* owner, nint* group, nint* dacl, nint* sacl, out SafeLocalAllocHandle descriptor);

    internal const uint SDDL_REVISION_1 = 1;
    internal const uint SE_KERNEL_OBJECT = 6;
    internal const uint OWNER_SECURITY_INFORMATION = 0x1;
    internal const uint DACL_SECURITY_INFORMATION = 0x4;
}

/// <summary>Memory from LocalAlloc that Windows hands back (security descriptors), freed with LocalFree.</summary>
internal sealed class SafeLocalAllocHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public SafeLocalAllocHandle()
        : base(true)
    {
    }

    protected override bool ReleaseHandle() => Kernel32.LocalFree(handle) == 0;
}
