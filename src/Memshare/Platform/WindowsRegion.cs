using System.Runtime.Versioning;
using System.Security.Principal;
using Memshare.Interop;
using Microsoft.Win32.SafeHandles;

namespace Memshare.Platform;

/// <summary>
/// A region as a named, pagefile-backed file mapping (<c>Local\NAME</c> or <c>Global\NAME</c>). Run under Wine
/// in CI, which does not enforce security; see the README.
/// </summary>
/// <remarks>
/// The kernel frees the mapping with its last handle, which is exactly the scoped lifetime. A creator holds a
/// named mutex (<c>NAME#init</c>, see <see cref="WindowsObjectNames"/>) from <c>CreateFileMapping</c> until its
/// initializer has run, and openers pass through the same mutex, so nobody sees an uninitialised region. The
/// mapping, the mutex and the wait events carry the same security descriptor, and an existing mapping is opened
/// only if the current user owns it (or <see cref="SharedMemoryOptions.AllowOtherOwner"/>). <c>SEC_COMMIT</c> charges the
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

    /// <summary>How long an opener waits for another process's initializer before giving up with a clear error.</summary>
    internal static readonly TimeSpan InitDeadline = TimeSpan.FromSeconds(10);

    internal static WindowsRegion? Open(in RegionRequest request)
    {
        string name = request.Name;
        if (request.Persistent && request.Mode != RegionMode.OpenExisting)
        {
            throw new PlatformNotSupportedException(SR.Format(SR.PersistentNotOnWindows, name));
        }

        bool global = request.Options.WindowsGlobalNamespace;
        using SafeLocalAllocHandle descriptor = WindowsSecurity.ForPermissions(request.Options.Permissions, name);
        using SafeWaitHandle init = AcquireInitMutex(name, global, descriptor);
        try
        {
            return request.Mode == RegionMode.OpenExisting
                ? OpenMapping(WindowsObjectNames.Mapping(name, global), request)
                : CreateMapping(WindowsObjectNames.Mapping(name, global), request, descriptor);
        }
        finally
        {
            _ = Kernel32.ReleaseMutex(init);
        }
    }

    private static WindowsRegion? OpenMapping(string kernelName, in RegionRequest request)
    {
        uint access = request.ReadOnly ? Kernel32.FILE_MAP_READ : Kernel32.FILE_MAP_READ | Kernel32.FILE_MAP_WRITE;
        bool checkOwner = !request.Options.AllowOtherOwner;
        SafeMemoryMappedFileHandle mapping = Kernel32.OpenFileMapping(access | (checkOwner ? Kernel32.READ_CONTROL : 0), false, kernelName);
        if (mapping.IsInvalid)
        {
            int error = Marshal.GetLastPInvokeError();
            mapping.Dispose();
            if (error == Kernel32.ERROR_FILE_NOT_FOUND)
            {
                return null;
            }

            if (error == Kernel32.ERROR_ACCESS_DENIED && checkOwner)
            {
                ThrowIfMappableWithoutOwner(kernelName, access, request.Name);
            }

            throw ThrowHelper.ExceptionForWin32(error, request.Name, "open");
        }

        CheckOwner(mapping, request);
        return MapView(mapping, request, access, created: false);
    }

    /// <summary>Mappable but its owner unreadable: its creator granted us access but kept the object to itself, so it is not ours.</summary>
    private static void ThrowIfMappableWithoutOwner(string kernelName, uint access, string name)
    {
        using SafeMemoryMappedFileHandle probe = Kernel32.OpenFileMapping(access, false, kernelName);
        if (!probe.IsInvalid)
        {
            using WindowsIdentity me = WindowsIdentity.GetCurrent();
            throw new UnauthorizedAccessException(SR.Format(SR.OtherOwnerUnknownWindows, name, me.User!.Value,
                Marshal.GetPInvokeErrorMessage(Kernel32.ERROR_ACCESS_DENIED)));
        }
    }

    private static WindowsRegion? CreateMapping(string kernelName, in RegionRequest request, SafeLocalAllocHandle descriptor)
    {
        var attributes = new Kernel32.SecurityAttributes
        {
            Length = sizeof(Kernel32.SecurityAttributes),
            SecurityDescriptor = descriptor.DangerousGetHandle(), // kept alive by the caller's using
        };
        long size = request.Size;
        long sectionSize = WindowsSizeTrailer.SectionSize(size);
        SafeMemoryMappedFileHandle mapping = Kernel32.CreateFileMapping(
            Kernel32.INVALID_HANDLE_VALUE, &attributes, Kernel32.PAGE_READWRITE | Kernel32.SEC_COMMIT,
            (uint)(sectionSize >> 32), (uint)sectionSize, kernelName);
        int error = Marshal.GetLastPInvokeError();
        if (mapping.IsInvalid)
        {
            mapping.Dispose();
            if (error == Kernel32.ERROR_ACCESS_DENIED && request.Options.WindowsGlobalNamespace && !Exists(kernelName))
            {
                // Nothing there to be denied by: the missing right is SeCreateGlobalPrivilege.
                throw new UnauthorizedAccessException(SR.Format(SR.GlobalNeedsPrivilege, request.Name));
            }

            throw ThrowHelper.ExceptionForWin32(error, request.Name, "create", size);
        }

        bool created = error != Kernel32.ERROR_ALREADY_EXISTS;
        if (!created)
        {
            if (request.Mode == RegionMode.CreateNew)
            {
                mapping.Dispose();
                throw new RegionExistsException(request.Name);
            }

            CheckOwner(mapping, request);
        }

        return MapView(mapping, request, Kernel32.FILE_MAP_READ | Kernel32.FILE_MAP_WRITE, created);
    }

    private static bool Exists(string kernelName)
    {
        using SafeMemoryMappedFileHandle probe = Kernel32.OpenFileMapping(Kernel32.FILE_MAP_READ, false, kernelName);
        return !probe.IsInvalid || Marshal.GetLastPInvokeError() != Kernel32.ERROR_FILE_NOT_FOUND;
    }

    private static void CheckOwner(SafeMemoryMappedFileHandle mapping, in RegionRequest request)
    {
        try
        {
            WindowsSecurity.CheckOwner(mapping, request.Name, request.Options.AllowOtherOwner);
        }
        catch
        {
            mapping.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Maps the whole section and, for a creator, runs the initializer. Any failure closes the view and the
    /// handle at once, so a half-initialised region is gone before the init mutex lets the next process in.
    /// </summary>
    private static WindowsRegion MapView(SafeMemoryMappedFileHandle mapping, in RegionRequest request, uint access, bool created)
    {
        byte* address = null;
        try
        {
            address = (byte*)Kernel32.MapViewOfFile(mapping, access, 0, 0, 0);
            if (address == null)
            {
                throw ThrowHelper.ExceptionForWin32(Marshal.GetLastPInvokeError(), request.Name, "map");
            }

            // A view of a whole section spans the section's pages; the exact size is the creator's, or the trailer's.
            long length = request.Size;
            if (created)
            {
                WindowsSizeTrailer.Write(address, WindowsSizeTrailer.SectionSize(length), length);
            }
            else
            {
                _ = Kernel32.VirtualQuery(address, out Kernel32.MemoryBasicInformation info, (nuint)sizeof(Kernel32.MemoryBasicInformation));
                length = WindowsSizeTrailer.Read(address, (long)info.RegionSize);
                if (length < request.MinExistingSize)
                {
                    throw new RegionFormatException(request.Name, SR.Format(SR.RegionTooSmall, request.Name, length, request.MinExistingSize));
                }
            }

            if (created && request.Initializer is { } init)
            {
                if (length > int.MaxValue)
                {
                    ThrowHelper.ThrowTooLargeForSpan(request.Name, length);
                }

                init(new Span<byte>(address, (int)length));
            }

            return new WindowsRegion(mapping, address, length, created);
        }
        catch
        {
            if (address != null)
            {
                _ = Kernel32.UnmapViewOfFile(address);
            }

            mapping.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Creates or opens <c>NAME#init</c> with the region's security and takes it, waiting at most
    /// <see cref="InitDeadline"/> for a creator whose initializer is still running.
    /// </summary>
    private static SafeWaitHandle AcquireInitMutex(string name, bool global, SafeLocalAllocHandle descriptor)
    {
        var attributes = new Kernel32.SecurityAttributes
        {
            Length = sizeof(Kernel32.SecurityAttributes),
            SecurityDescriptor = descriptor.DangerousGetHandle(),
        };
        SafeWaitHandle mutex = Kernel32.CreateMutexEx(&attributes, WindowsObjectNames.InitMutex(name, global), 0,
            Kernel32.SYNCHRONIZE | Kernel32.MUTEX_MODIFY_STATE);
        if (mutex.IsInvalid)
        {
            int error = Marshal.GetLastPInvokeError();
            mutex.Dispose();
            throw ThrowHelper.ExceptionForWin32(error, name, "lock");
        }

        uint result = Kernel32.WaitForSingleObject(mutex, (uint)InitDeadline.TotalMilliseconds);
        if (result is Kernel32.WAIT_OBJECT_0 or Kernel32.WAIT_ABANDONED)
        {
            // Abandoned: a creator died mid-initialisation. We own the mutex now; its mapping died with it.
            return mutex;
        }

        int waitError = Marshal.GetLastPInvokeError();
        mutex.Dispose();
        throw result == Kernel32.WAIT_TIMEOUT
            ? new IOException(SR.Format(SR.InitTimeoutWindows, name, (int)InitDeadline.TotalSeconds))
            : ThrowHelper.ExceptionForWin32(waitError, name, "lock");
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
