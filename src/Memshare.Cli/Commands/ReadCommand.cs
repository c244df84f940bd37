using System.CommandLine;

namespace Memshare.Cli.Commands;

/// <summary><c>memshare read NAME [--offset N] [--length N] [--hex]</c>: raw bytes out of a region, opened read-only.</summary>
internal static class ReadCommand
{
    private const int Chunk = 64 * 1024;

    public static Command Create()
    {
        Argument<string> name = Symbols.RegionName();
        Option<long> offset = Symbols.Offset("Where to start reading, in bytes from the start of the region.");
        Option<long?> length = new("--length") { Description = "How many bytes to read. Default: as text, up to the first NUL byte; as hex, to the end." };
        Option<bool> hex = new("--hex") { Description = "Print the bytes as hex digits (what 'write --hex' accepts) instead of raw." };
        var command = new Command("read", "Print raw bytes of a region. The region is opened read-only.")
        {
            name,
            offset,
            length,
            hex,
        };
        command.SetAction(parse => Run(parse.GetRequiredValue(name), parse.GetValue(offset), parse.GetValue(length), parse.GetValue(hex)));
        return command;
    }

    private static int Run(string name, long offset, long? length, bool hex)
    {
        if (offset < 0)
        {
            throw new ArgumentException(Messages.Format(Messages.NegativeOffset, offset));
        }

        if (length < 0)
        {
            throw new ArgumentException(Messages.Format(Messages.NegativeLength, length));
        }

        using SharedMemory region = SharedMemory.OpenExisting(name, SharedMemoryOptions.ReadOnly);
        long size = region.Size;
        if (offset > size)
        {
            throw new ArgumentException(Messages.Format(Messages.OffsetPastEnd, name, offset, size));
        }

        long room = size - offset;
        if (length > room)
        {
            throw new ArgumentException(Messages.Format(Messages.ReadPastEnd, name, length, size, offset, room));
        }

        Console.Out.Flush();
        using Stream output = Console.OpenStandardOutput();
        if (hex)
        {
            WriteHex(region, offset, length ?? room, output);
        }
        else
        {
            WriteRaw(region, offset, length ?? room, stopAtNul: length is null, output);
        }

        return ExitCodes.Success;
    }

    private static void WriteHex(SharedMemory region, long offset, long count, Stream output)
    {
        using var text = new StreamWriter(output, leaveOpen: true);
        for (long done = 0; done < count;)
        {
            int n = (int)Math.Min(Chunk, count - done);
            text.Write(Convert.ToHexStringLower(region.GetReadOnlySpan(offset + done, n)));
            done += n;
        }

        text.Write('\n');
    }

    private static void WriteRaw(SharedMemory region, long offset, long count, bool stopAtNul, Stream output)
    {
        byte last = (byte)'\n';
        for (long done = 0; done < count;)
        {
            ReadOnlySpan<byte> bytes = region.GetReadOnlySpan(offset + done, (int)Math.Min(Chunk, count - done));
            int nul = stopAtNul ? bytes.IndexOf((byte)0) : -1;
            if (nul >= 0)
            {
                bytes = bytes[..nul];
            }

            output.Write(bytes);
            if (!bytes.IsEmpty)
            {
                last = bytes[^1];
            }

            if (nul >= 0)
            {
                break;
            }

            done += bytes.Length;
        }

        // Raw bytes stay exact in a pipe or file; only a terminal gets a final newline so the prompt starts on its own line.
        if (!Console.IsOutputRedirected && last != (byte)'\n')
        {
            output.WriteByte((byte)'\n');
        }
    }
}
