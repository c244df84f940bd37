using System.Runtime.Versioning;
using System.Security.Principal;
using Memshare.Interop;
using Microsoft.Win32.SafeHandles;

namespace Memshare.Platform;

/// <summary>
/// A region as a named, pagefile-backed file mapping (<c>Local\NAME</c> or <c>Global\NAME</c>). Not run in our
/// CI; see the README.
/// </summary>
/// <remarks>
/// The kernel frees the mapping with its last handle, which is exactly the scoped lifetime. A creator holds a
/// named mutex (<c>NAME.memshare-init</c>) from <c>CreateFileMapping</c> until its initializer has run, and
/// openers pass through the same mutex, so nobody sees an uninitialised region. <c>SEC_COMMIT</c> charges the
/// whole size at creation, so running out of memory fails there rather than on first touch.
/// </remarks>
[SupportedOSPlatform("windows")]
internal sealed unsafe class WindowsRegion : OsRegion
{
    private SafeMemoryMappedFileHandle? _mapping;

    private WindowsRegion(SafeMemoryMappedFileHandle mapping, byte* address, long length, bool created)
    {
        _mapping = mapping;
        Base = address;
        Length = length;
        Created = created;
        Persistent = false;
    }

    internal static WindowsRegion? Open(in RegionRequest request)
    {
        string name = request.Name;
        if (request.Persistent && request.Mode != RegionMode.OpenExisting)
        {
            throw new PlatformNotSupportedException(SR.Format(SR.PersistentNotOnWindows, name));
        }

        string prefix = request.Options.WindowsGlobalNamespace ? @"Global\" : @"Local\";
        string kernelName = prefix + name;
        using var init = new Mutex(false, prefix + name + ".memshare-init");
        Acquire(init);
        try
        {
            return request.Mode == RegionMode.OpenExisting
                ? OpenMapping(kernelName, request)
                : CreateMapping(kernelName, request);
        }
        finally
        {
            init.ReleaseMutex();
        }
    }

    private static WindowsRegion? OpenMapping(string kernelName, in RegionRequest request)
    {
        uint access = request.ReadOnly ? Kernel32.FILE_MAP_READ : Kernel32.FILE_MAP_READ | Kernel32.FILE_MAP_WRITE;
        SafeMemoryMappedFileHandle mapping = Kernel32.OpenFileMapping(access, false, kernelName);
        if (mapping.IsInvalid)
        {
            int error = Marshal.GetLastPInvokeError();
            mapping.Dispose();
            if (error == Kernel32.ERROR_FILE_NOT_FOUND)
            {
                return null;
            }

            throw ThrowHelper.ExceptionForWin32(error, request.Name, "open");
        }

        return MapView(mapping, request, access, created: false);
    }

    private static WindowsRegion? CreateMapping(string kernelName, in RegionRequest request)
    {
        nint descriptor = SecurityDescriptorFor(request.Options.Permissions, request.Name);
        try
        {
            var attributes = new Kernel32.SecurityAttributes
            {
                Length = sizeof(Kernel32.SecurityAttributes),
                SecurityDescriptor = descriptor,
            };
            long size = request.Size;
            SafeMemoryMappedFileHandle mapping = Kernel32.CreateFileMapping(
                Kernel32.INVALID_HANDLE_VALUE, &attributes, Kernel32.PAGE_READWRITE | Kernel32.SEC_COMMIT,
                (uint)(size >> 32), (uint)size, kernelName);
            int error = Marshal.GetLastPInvokeError();
            if (mapping.IsInvalid)
            {
                mapping.Dispose();
                throw ThrowHelper.ExceptionForWin32(error, request.Name, "create", size);
            }

            bool created = error != Kernel32.ERROR_ALREADY_EXISTS;
            if (!created && request.Mode == RegionMode.CreateNew)
            {
                mapping.Dispose();
                throw new RegionExistsException(request.Name);
            }

            return MapView(mapping, request, Kernel32.FILE_MAP_READ | Kernel32.FILE_MAP_WRITE, created);
        }
        finally
        {
            _ = Kernel32.LocalFree(descriptor);
        }
    }

    private static WindowsRegion MapView(SafeMemoryMappedFileHandle mapping, in RegionRequest request, uint access, bool created)
    {
        byte* address = (byte*)Kernel32.MapViewOfFile(mapping, access, 0, 0, 0);
        if (address == null)
        {
            int error = Marshal.GetLastPInvokeError();
            mapping.Dispose();
            throw ThrowHelper.ExceptionForWin32(error, request.Name, "map");
        }

        // A view of a whole section spans the section rounded up to pages; the creator's size is exact.
        long length = request.Size;
        if (!created)
        {
            _ = Kernel32.VirtualQuery(address, out Kernel32.MemoryBasicInformation info, (nuint)sizeof(Kernel32.MemoryBasicInformation));
            length = (long)info.RegionSize;
            if (length < request.MinExistingSize)
            {
                _ = Kernel32.UnmapViewOfFile(address);
                mapping.Dispose();
                throw new RegionFormatException(request.Name, SR.Format(SR.RegionTooSmall, request.Name, length, request.MinExistingSize));
            }
        }
        else if (request.Options.Initializer is { } init)
        {
            if (length > int.MaxValue)
            {
                _ = Kernel32.UnmapViewOfFile(address);
                mapping.Dispose();
                ThrowHelper.ThrowTooLargeForSpan(request.Name, length);
            }

            init(new Span<byte>(address, (int)length));
        }

        return new WindowsRegion(mapping, address, length, created);
    }

    /// <summary>Current user only, unless group or other bits ask for more; then Everyone.</summary>
    private static nint SecurityDescriptorFor(UnixFileMode permissions, string name)
    {
        bool wide = ((int)permissions & 0x36) != 0;
        string trustee = wide ? "WD" : WindowsIdentity.GetCurrent().User!.Value;
        if (!Kernel32.ConvertStringSecurityDescriptorToSecurityDescriptor($"D:P(A;;GA;;;{trustee})", 1, out nint descriptor, 0))
        {
            throw ThrowHelper.ExceptionForWin32(Marshal.GetLastPInvokeError(), name, "secure");
        }

        return descriptor;
    }

    private static void Acquire(Mutex mutex)
    {
        try
        {
            mutex.WaitOne();
        }
        catch (AbandonedMutexException)
        {
            // A creator died mid-initialisation. We own the mutex now; the mapping died with it.
        }
    }

    internal static bool Remove(string name) => false; // A mapping lives exactly as long as its handles.

    public override void Dispose()
    {
        SafeMemoryMappedFileHandle? mapping = Interlocked.Exchange(ref _mapping, null);
        if (mapping is null)
        {
            return;
        }

        _ = Kernel32.UnmapViewOfFile(Base);
        mapping.Dispose();
    }
}
