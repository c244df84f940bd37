using System.Globalization;
using System.Runtime.Versioning;
using Memshare.Interop;
using Memshare.Platform;

namespace Memshare.Sync;

/// <summary>
/// Windows: a manual-reset named event per value of the word, <c>Local\NAME#wait-OFFSET-VALUE</c> (value in hex).
/// </summary>
/// <remarks>
/// <para>A waiter that expects value v creates (or opens) v's event, then re-reads the word and sleeps on the
/// event only if the word still holds v. A waker that moved the word from v to v + 1 opens v's event, if it
/// exists, and sets it. Either the waiter's re-read comes after the increment (it sees the change and does not
/// sleep), or its event existed before the waker looked for it (the waker sets it). No wake-up is lost.</para>
/// <para>Nothing piles up: an event lives only while a waiter holds it, and each value's event is set at most
/// once, by the one waker that moved the word past it. (The semaphore used before kept one token per wake-up
/// that no sleeper took, and later waits returned early once per token.) The price is that a wake-up reaches
/// every sleeper of that value, not just one: the others find their condition unmet and sleep again.</para>
/// <para>Events get the mapping's DACL, so whoever may open the region may wait and wake on it.</para>
/// </remarks>
internal sealed unsafe partial class WaitChannel
{
    private const int HexDigits = 8;

    private char[] _eventPrefix = [];
    private SafeLocalAllocHandle? _descriptor;

    [SupportedOSPlatform("windows")]
    private void InitWindows(string regionName, int wordOffset, bool globalNamespace)
    {
        _eventPrefix = WindowsObjectNames.WaitEventPrefix(regionName, globalNamespace, wordOffset).ToCharArray();
        using var mapping = Kernel32.OpenFileMapping(Kernel32.READ_CONTROL, false, WindowsObjectNames.Mapping(regionName, globalNamespace));
        if (!mapping.IsInvalid)
        {
            _descriptor = WindowsSecurity.DaclOf(mapping);
        }
    }

    [SupportedOSPlatform("windows")]
    private void WaitWindows(int expected, int timeoutMs)
    {
        nint handle = CreateWaitEvent(expected);
        if (handle == 0)
        {
            // The name is held by something we may not open (another account's squatter): poll instead.
            Thread.Sleep(Math.Min(Math.Max(timeoutMs, 0), 1));
            return;
        }

        try
        {
            if (Volatile.Read(ref *_word) == expected)
            {
                _ = Kernel32.WaitForSingleObject(handle, timeoutMs < 0 ? Kernel32.INFINITE : (uint)timeoutMs);
            }
        }
        finally
        {
            _ = Kernel32.CloseHandle(handle);
        }
    }

    /// <summary>
    /// Creates or opens the event of value <paramref name="expected"/> (SYNCHRONIZE access), or returns 0. The
    /// caller must re-read the word afterwards and sleep only if it still holds <paramref name="expected"/>.
    /// </summary>
    [SupportedOSPlatform("windows")]
    internal nint CreateWaitEvent(int expected)
    {
        char* name = stackalloc char[_eventPrefix.Length + HexDigits + 1];
        FormatName(name, expected);
        var attributes = new Kernel32.SecurityAttributes
        {
            Length = sizeof(Kernel32.SecurityAttributes),
            SecurityDescriptor = _descriptor?.DangerousGetHandle() ?? 0, // alive: waits hold a use of this channel
        };
        nint handle = Kernel32.CreateEventEx(&attributes, name, Kernel32.CREATE_EVENT_MANUAL_RESET, Kernel32.SYNCHRONIZE);

        // The event exists before the word is re-read: pairs with the waker's increment before its OpenEvent.
        Interlocked.MemoryBarrier();
        return handle;
    }

    [SupportedOSPlatform("windows")]
    private void WakeWindows(int bumpedTo)
    {
        char* name = stackalloc char[_eventPrefix.Length + HexDigits + 1];
        FormatName(name, bumpedTo - 1);
        nint handle = Kernel32.OpenEvent(Kernel32.EVENT_MODIFY_STATE, false, name);
        if (handle != 0)
        {
            _ = Kernel32.SetEvent(handle);
            _ = Kernel32.CloseHandle(handle);
        }

        // No event: nobody sleeps on that value, and whoever is about to will see the word changed.
    }

    private void FormatName(char* destination, int value)
    {
        var span = new Span<char>(destination, _eventPrefix.Length + HexDigits + 1);
        _eventPrefix.CopyTo(span);
        _ = ((uint)value).TryFormat(span[_eventPrefix.Length..], out int written, "X8", CultureInfo.InvariantCulture);
        span[_eventPrefix.Length + written] = '\0';
    }

    private void DisposeWindows() => _descriptor?.Dispose();
}
