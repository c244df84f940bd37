using System.Runtime.InteropServices;
using System.Text;
using Memshare;

namespace SharedMemDll;

/// <summary>
/// The C entry points (sharedmem.h): the seed's SetSharedMem/GetSharedMem with UTF-16 text (char16_t), and UTF-8
/// variants. Every export returns a <see cref="Status"/> instead of truncating, and lets no exception escape
/// (one would end the host process).
/// </summary>
internal static unsafe class Exports
{
    private static readonly UTF8Encoding s_strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    [UnmanagedCallersOnly(EntryPoint = "SetSharedMem")]
    private static int SetSharedMem(char* text)
    {
        if (text is null)
        {
            return (int)Slot.Fail(Status.InvalidArgument, "SetSharedMem: text is NULL.");
        }

        ReadOnlySpan<char> chars = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(text);
        byte[] utf8;
        try
        {
            utf8 = s_strict.GetBytes(chars.ToArray());
        }
        catch (EncoderFallbackException)
        {
            return (int)Slot.Fail(Status.InvalidArgument, "SetSharedMem: text is not valid UTF-16 (an unpaired surrogate).");
        }

        return (int)Store(utf8);
    }

    [UnmanagedCallersOnly(EntryPoint = "SetSharedMemUtf8")]
    private static int SetSharedMemUtf8(byte* text)
    {
        if (text is null)
        {
            return (int)Slot.Fail(Status.InvalidArgument, "SetSharedMemUtf8: text is NULL.");
        }

        ReadOnlySpan<byte> utf8 = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(text);
        return System.Text.Unicode.Utf8.IsValid(utf8)
            ? (int)Store(utf8)
            : (int)Slot.Fail(Status.InvalidArgument, "SetSharedMemUtf8: text is not valid UTF-8.");
    }

    [UnmanagedCallersOnly(EntryPoint = "GetSharedMem")]
    private static int GetSharedMem(char* buffer, nuint capacity, nuint* length)
    {
        if (buffer is null && capacity != 0)
        {
            return (int)Slot.Fail(Status.InvalidArgument, "GetSharedMem: buffer is NULL but capacity is not 0.");
        }

        Status status = Load(out byte[] utf8, out int count);
        if (status != Status.Ok)
        {
            return (int)status;
        }

        string text = Encoding.UTF8.GetString(utf8, 0, count);
        return (int)Deliver(MemoryMarshal.AsBytes(text.AsSpan()), sizeof(char), (byte*)buffer, capacity, length, "GetSharedMem", "UTF-16 units");
    }

    [UnmanagedCallersOnly(EntryPoint = "GetSharedMemUtf8")]
    private static int GetSharedMemUtf8(byte* buffer, nuint capacity, nuint* length)
    {
        if (buffer is null && capacity != 0)
        {
            return (int)Slot.Fail(Status.InvalidArgument, "GetSharedMemUtf8: buffer is NULL but capacity is not 0.");
        }

        Status status = Load(out byte[] utf8, out int count);
        return status != Status.Ok
            ? (int)status
            : (int)Deliver(utf8.AsSpan(0, count), 1, buffer, capacity, length, "GetSharedMemUtf8", "bytes");
    }

    /// <summary>Copies the last failure's message (UTF-8, NUL-terminated, cut to fit) and returns its full length in bytes.</summary>
    [UnmanagedCallersOnly(EntryPoint = "SharedMemLastError")]
    private static nuint SharedMemLastError(byte* buffer, nuint capacity)
    {
        byte[] message = Encoding.UTF8.GetBytes(Slot.LastError);
        if (buffer is not null && capacity > 0)
        {
            int n = (int)Math.Min((nuint)message.Length, capacity - 1);
            message.AsSpan(0, n).CopyTo(new Span<byte>(buffer, n));
            buffer[n] = 0;
        }

        return (nuint)message.Length;
    }

    private static Status Store(ReadOnlySpan<byte> utf8)
    {
        if (Slot.Get() is not { } slot)
        {
            return Status.Error;
        }

        if (utf8.Length > slot.Capacity)
        {
            return Slot.Fail(Status.TooLong,
                $"The text takes {utf8.Length} bytes of UTF-8 but string slot '{slot.Name}' holds at most {slot.Capacity}; nothing was stored.");
        }

        try
        {
            slot.Set(utf8);
            return Status.Ok;
        }
        catch (Exception e) when (e is RegionFormatException or InvalidOperationException or UnauthorizedAccessException)
        {
            return Slot.Fail(Status.Error, e.Message);
        }
    }

    private static Status Load(out byte[] utf8, out int count)
    {
        utf8 = [];
        count = 0;
        if (Slot.Get() is not { } slot)
        {
            return Status.Error;
        }

        try
        {
            utf8 = new byte[slot.Capacity];
            count = slot.Get(utf8);
            return Status.Ok;
        }
        catch (RegionFormatException e)
        {
            return Slot.Fail(Status.Error, e.Message);
        }
    }

    /// <summary>Copies <paramref name="text"/> and a NUL of <paramref name="unit"/> bytes, or reports the room needed.</summary>
    private static Status Deliver(ReadOnlySpan<byte> text, int unit, byte* buffer, nuint capacity, nuint* length, string function, string units)
    {
        nuint needed = (nuint)(text.Length / unit);
        if (length is not null)
        {
            *length = needed;
        }

        if (capacity < needed + 1)
        {
            if (buffer is not null && capacity > 0)
            {
                new Span<byte>(buffer, unit).Clear(); // an empty string, never a cut one
            }

            return Slot.Fail(Status.BufferTooSmall,
                $"{function}: the string takes {needed} {units} plus a terminator, but the buffer holds {capacity}.");
        }

        text.CopyTo(new Span<byte>(buffer, text.Length));
        new Span<byte>(buffer + text.Length, unit).Clear();
        return Status.Ok;
    }
}
