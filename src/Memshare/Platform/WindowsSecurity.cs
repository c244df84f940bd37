using System.Runtime.Versioning;
using System.Security.Principal;
using Memshare.Interop;

namespace Memshare.Platform;

/// <summary>
/// Security descriptors for a region's mapping and helper objects, and the owner check on open: the Windows
/// counterparts of the file mode and the uid check on Linux and macOS.
/// </summary>
[SupportedOSPlatform("windows")]
internal static unsafe class WindowsSecurity
{
    /// <summary>
    /// The descriptor of a new region: owned by the current user (not the Administrators group an elevated token
    /// would pick), full access for that user only, or for Everyone when group or other bits are asked for.
    /// </summary>
    internal static SafeLocalAllocHandle ForPermissions(UnixFileMode permissions, string name)
    {
        using WindowsIdentity me = WindowsIdentity.GetCurrent();
        string user = me.User!.Value;
        string trustee = ((int)permissions & 0x36) != 0 ? "WD" : user; // 0o066: any group or other bit
        if (!Advapi32.ConvertStringSecurityDescriptorToSecurityDescriptor(
            $"O:{user}D:P(A;;GA;;;{trustee})", Advapi32.SDDL_REVISION_1, out SafeLocalAllocHandle descriptor, 0))
        {
            int error = Marshal.GetLastPInvokeError();
            descriptor.Dispose();
            throw ThrowHelper.ExceptionForWin32(error, name, "secure");
        }

        return descriptor;
    }

    /// <summary>
    /// The DACL of an existing object (a region's mapping), for the helper objects that must grant the same
    /// access; null if it cannot be read, and the helpers then get this process's default security.
    /// </summary>
    internal static SafeLocalAllocHandle? DaclOf(SafeHandle handle)
    {
        uint error = Advapi32.GetSecurityInfo(handle, Advapi32.SE_KERNEL_OBJECT, Advapi32.DACL_SECURITY_INFORMATION,
            null, null, null, null, out SafeLocalAllocHandle descriptor);
        if (error != 0)
        {
            descriptor.Dispose();
            return null;
        }

        return descriptor;
    }

    /// <summary>
    /// Refuses an existing mapping that another user owns, unless <paramref name="allowOtherOwner"/>: otherwise
    /// anyone could create the name first and read what we write. Our own objects are owned by our user SID,
    /// or by our token's default owner when another program created them.
    /// </summary>
    internal static void CheckOwner(SafeHandle mapping, string name, bool allowOtherOwner)
    {
        if (allowOtherOwner)
        {
            return;
        }

        nint owner;
        uint error = Advapi32.GetSecurityInfo(mapping, Advapi32.SE_KERNEL_OBJECT, Advapi32.OWNER_SECURITY_INFORMATION,
            &owner, null, null, null, out SafeLocalAllocHandle descriptor);
        using (descriptor)
        {
            using WindowsIdentity me = WindowsIdentity.GetCurrent();
            if (error != 0)
            {
                // READ_CONTROL was requested with the mapping, so this is not ours to read: not ours.
                throw new UnauthorizedAccessException(SR.Format(SR.OtherOwnerUnknownWindows, name, me.User!.Value,
                    Marshal.GetPInvokeErrorMessage((int)error)));
            }

            if (Is(owner, me.User) || Is(owner, me.Owner))
            {
                return;
            }

            throw new UnauthorizedAccessException(SR.Format(SR.OtherOwnerWindows, name, new SecurityIdentifier(owner).Value, me.User!.Value));
        }
    }

    private static bool Is(nint sid, SecurityIdentifier? expected) => expected is not null && new SecurityIdentifier(sid) == expected;
}
