using System.CommandLine;
using System.Text;

namespace Memshare.Cli.Commands;

/// <summary><c>memshare write NAME (--text T | --hex H | --stdin) [--offset N]</c>: raw bytes into an existing region.</summary>
internal static class WriteCommand
{
    public static Command Create()
    {
        Argument<string> name = Symbols.RegionName();
        Option<string> text = new("--text") { Description = "Write this text, encoded as UTF-8 (no terminator is added)." };
        Option<string> hex = new("--hex") { Description = "Write these bytes, given as hex digits, e.g. 'deadbeef'." };
        Option<bool> stdin = new("--stdin") { Description = "Write everything read from standard input." };
        Option<long> offset = Symbols.Offset("Where to start writing, in bytes from the start of the region.");
        var command = new Command("write", "Write raw bytes into an existing region. Data that would pass the end of the region is refused and nothing is written.")
        {
            name,
            text,
            hex,
            stdin,
            offset,
        };
        command.Validators.Add(result =>
        {
            int sources = (result.GetResult(text) is null ? 0 : 1) + (result.GetResult(hex) is null ? 0 : 1) + (result.GetValue(stdin) ? 1 : 0);
            if (sources != 1)
            {
                result.AddError(Messages.OneSource);
            }
        });
        command.SetAction(parse =>
        {
            string? textValue = parse.GetValue(text);
            string? hexValue = parse.GetValue(hex);
            byte[]? data = textValue is not null ? Encoding.UTF8.GetBytes(textValue)
                : hexValue is not null ? Hex.Parse(hexValue)
                : null; // --stdin: read once we know how much fits
            return Run(parse.GetRequiredValue(name), data, parse.GetValue(offset));
        });
        return command;
    }

    private static int Run(string name, byte[]? data, long offset)
    {
        if (offset < 0)
        {
            throw new ArgumentException(Messages.Format(Messages.NegativeOffset, offset));
        }

        using SharedMemory region = SharedMemory.OpenExisting(name);
        long size = region.Size;
        if (offset > size)
        {
            throw new ArgumentException(Messages.Format(Messages.OffsetPastEnd, name, offset, size));
        }

        long room = size - offset;
        bool complete = true;
        if (data is null)
        {
            data = ReadStandardInput(room + 1, out complete);
        }

        if (data.Length > room)
        {
            string count = complete ? data.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"more than {room}";
            throw new ArgumentException(Messages.Format(Messages.WritePastEnd, name, count, size, offset, room));
        }

        data.CopyTo(region.GetSpan(offset, data.Length));
        Console.WriteLine($"Wrote {data.Length} bytes to region '{name}' at offset {offset}.");
        return ExitCodes.Success;
    }

    /// <summary>Reads standard input to its end, or until <paramref name="limit"/> bytes (then <paramref name="complete"/> is false).</summary>
    private static byte[] ReadStandardInput(long limit, out bool complete)
    {
        using Stream input = Console.OpenStandardInput();
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[81920];
        while (buffer.Length < limit)
        {
            int n = input.Read(chunk, 0, (int)Math.Min(chunk.Length, limit - buffer.Length));
            if (n == 0)
            {
                complete = true;
                return buffer.ToArray();
            }

            buffer.Write(chunk, 0, n);
        }

        complete = false;
        return buffer.ToArray();
    }
}
