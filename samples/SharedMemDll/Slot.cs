using System.Runtime.InteropServices;
using Memshare;

namespace SharedMemDll;

/// <summary>
/// The one string slot this library shares: a Memshare <see cref="SharedString"/> named by the environment variable
/// SHAREDMEM_NAME (default "sharedmem"), opened on first use and held until the process exits, as the seed's DLL
/// holds its shared section while it is loaded. Created scoped: it goes away with the last process holding it.
/// </summary>
internal static class Slot
{
    /// <summary>UTF-8 bytes the slot holds when this library creates it.</summary>
    internal const int Capacity = 4096;

    private static readonly Lock s_gate = new();
    private static SharedString? s_slot;
    private static string s_lastError = "";

    internal static string Name => Environment.GetEnvironmentVariable("SHAREDMEM_NAME") is { Length: > 0 } name ? name : "sharedmem";

    internal static string LastError
    {
        get
        {
            lock (s_gate)
            {
                return s_lastError;
            }
        }
    }

    /// <summary>The open slot, or null with <see cref="LastError"/> set.</summary>
    internal static SharedString? Get()
    {
        lock (s_gate)
        {
            if (s_slot is null)
            {
                try
                {
                    s_slot = SharedString.CreateOrOpen(Name, Capacity, out _);
                    unsafe
                    {
                        _ = Libc.CxaAtExit(&Close, null, null);
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or RegionFormatException or ArgumentException)
                {
                    s_lastError = e.Message;
                }
            }

            return s_slot;
        }
    }

    /// <summary>At exit: closes the slot, removing it if this was its last holder (kill -9 leaves it for 'memshare gc').</summary>
    [UnmanagedCallersOnly]
    private static unsafe void Close(void* unused)
    {
        lock (s_gate)
        {
            s_slot?.Dispose();
            s_slot = null;
        }
    }

    internal static Status Fail(Status status, string message)
    {
        lock (s_gate)
        {
            s_lastError = message;
        }

        return status;
    }
}
