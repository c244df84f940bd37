using System.Diagnostics.CodeAnalysis;
using Memshare.Interop;

namespace Memshare;

/// <summary>Throwing lives here, out of the methods that may be inlined on hot paths.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    internal static void ThrowObjectDisposed(object instance) => throw new ObjectDisposedException(instance.GetType().Name);

    [DoesNotReturn]
    internal static void ThrowReadOnly(string name) => throw new InvalidOperationException(SR.Format(SR.ReadOnlyView, name));

    /// <summary>
    /// Refuses a read-only open of a type whose every use writes to the region (a lock, an event, a channel): its
    /// mapping would be <c>PROT_READ</c>, and the first write a fault that kills the process.
    /// </summary>
    internal static void RequireWriteAccess(SharedMemoryOptions options, string kind, string name, string why)
    {
        if (options.Access == SharedMemoryAccess.Read)
        {
            throw new ArgumentException(SR.Format(SR.SyncNeedsWrite, kind, name, why), nameof(options));
        }
    }

    [DoesNotReturn]
    internal static void ThrowFormat(string name, string format, params object?[] args) =>
        throw new RegionFormatException(name, SR.Format(format, args));

    [DoesNotReturn]
    internal static void ThrowSpanOutOfRange(string name, long offset, long length, long size) =>
        throw new ArgumentOutOfRangeException(nameof(offset), SR.Format(SR.SpanOutOfRange, name, offset, length, size));

    [DoesNotReturn]
    internal static void ThrowTooLargeForSpan(string name, long size) =>
        throw new InvalidOperationException(SR.Format(SR.SizeTooLargeForSpan, name, size));

    /// <summary>Turns a POSIX errno from <paramref name="operation"/> on <paramref name="name"/> into an exception.</summary>
    [DoesNotReturn]
    internal static void ThrowForErrno(int errno, string name, string operation, long size = 0) =>
        throw ExceptionForErrno(errno, name, operation, size);

    internal static Exception ExceptionForErrno(int errno, string name, string operation, long size = 0)
    {
        string text = Marshal.GetPInvokeErrorMessage(errno);
        return errno switch
        {
            Libc.ENOENT => new RegionNotFoundException(name),
            Libc.EEXIST => new RegionExistsException(name),
            Libc.EACCES or Libc.EPERM => new UnauthorizedAccessException(SR.Format(SR.AccessDenied, name, text)),
            Libc.ENOSPC => new IOException(SR.Format(SR.NoSpace, name, size, text)),
            _ => new IOException(SR.Format(SR.OsError, name, operation, text, errno)),
        };
    }

    /// <summary>Turns a Win32 error code into an exception naming the region.</summary>
    internal static Exception ExceptionForWin32(int error, string name, string operation, long size = 0)
    {
        string text = Marshal.GetPInvokeErrorMessage(error);
        return error switch
        {
            Kernel32.ERROR_FILE_NOT_FOUND => new RegionNotFoundException(name),
            Kernel32.ERROR_ALREADY_EXISTS => new RegionExistsException(name),
            Kernel32.ERROR_ACCESS_DENIED => new UnauthorizedAccessException(SR.Format(SR.AccessDenied, name, text)),
            Kernel32.ERROR_NOT_ENOUGH_MEMORY or Kernel32.ERROR_COMMITMENT_LIMIT =>
                new IOException(SR.Format(SR.NoSpace, name, size, text)),
            _ => new IOException(SR.Format(SR.OsError, name, operation, text, error)),
        };
    }
}
