using System.CommandLine;
using Memshare.Cli.Output;
using Memshare.Inspection;

namespace Memshare.Cli.Commands;

/// <summary>
/// <c>memshare dump NAME [--offset N] [--length N]</c>: a <c>hexdump -C</c> of a region, read from its backing
/// file without becoming a holder, so a dump never changes, keeps alive or removes anything.
/// </summary>
internal static class DumpCommand
{
    private const int Chunk = 1 << 20;

    public static Command Create()
    {
        Argument<string> name = Symbols.RegionName();
        Option<long> offset = Symbols.ByteCountOption("--offset", "Where to start, in bytes from the start of the region.", defaultValue: 0);
        Option<long?> length = Symbols.OptionalByteCountOption("--length", "How many bytes to show. Default: to the end of the region.");
        var command = new Command("dump", "Show a region's bytes as 'hexdump -C' does: region offsets, 16 bytes a line in hex and as text, repeated lines collapsed to '*'. Offsets and lengths take decimal, 0x hex, or k/KiB, M/MiB, G/GiB. Reads the file directly: never opens the region as a holder, so it changes nothing and removes nothing, not even a stale region. For a Memshare-formatted region, a note on stderr says how long its header is. Linux only.")
        {
            name,
            offset,
            length,
        };
        command.SetAction(parse => Run(parse.GetRequiredValue(name), parse.GetValue(offset), parse.GetValue(length)));
        return command;
    }

    private static int Run(string name, long offset, long? length)
    {
        using FileStream file = SharedMemoryCatalog.OpenRead(name);
        long size = file.Length;
        if (offset > size)
        {
            throw new ArgumentException(Messages.Format(Messages.DumpOffsetPastEnd, name, offset, size));
        }

        long room = size - offset;
        if (length > room)
        {
            throw new ArgumentException(Messages.Format(Messages.DumpLengthPastEnd, name, length, offset, size, Messages.Count(room, "byte"), room));
        }

        NoteHeader(name);
        Console.Out.Flush();
        using var output = new StreamWriter(Console.OpenStandardOutput(), bufferSize: 64 * 1024) { NewLine = "\n" };
        var dump = new HexDump(output, offset);
        byte[] buffer = new byte[(int)Math.Min(Chunk, Math.Max(length ?? room, 1))];
        long end = offset + (length ?? room);
        for (long at = offset; at < end;)
        {
            int want = (int)Math.Min(buffer.Length, end - at);
            file.Position = at;
            int got = file.ReadAtLeast(buffer.AsSpan(0, want), want, throwOnEndOfStream: false);
            dump.Write(buffer.AsSpan(0, got));
            at += got;
            if (got < want)
            {
                break; // the file shrank under us (only foreign files do): show what there was
            }
        }

        dump.Finish();
        return ExitCodes.Success;
    }

    /// <summary>A formatted region's header is part of the dump; say where it ends so the payload is easy to find.</summary>
    private static void NoteHeader(string name)
    {
        if (SharedMemoryCatalog.GetInfo(name)?.Header is not { } h)
        {
            return;
        }

        string kind = h.Kind == RegionFormat.Unknown ? $"Memshare region of unknown kind {h.KindCode}" : RegionText.Kind(h.Kind);
        ExitCodes.WriteError(Messages.Format(Messages.DumpHeaderNote, name, kind, h.HeaderSize - 1));
    }
}
