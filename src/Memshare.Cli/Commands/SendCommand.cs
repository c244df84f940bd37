using System.CommandLine;
using System.Globalization;

namespace Memshare.Cli.Commands;

/// <summary>
/// <c>memshare send NAME [--capacity BYTES] [--mode spsc|mpsc|broadcast] [--keep-open]</c>: each line of standard
/// input becomes one message on a channel.
/// </summary>
/// <remarks>
/// <para>Framing: stdin is read as bytes and split on '\n' only; a message is the line's bytes without the '\n'
/// ('\r' and invalid UTF-8 pass through unchanged; an empty line is an empty message). Input that does not end
/// with '\n' still sends its last line. <c>recv</c> prints each message followed by '\n', so a file that ends
/// with '\n' (or is empty) comes out of <c>send | recv</c> byte for byte; one that does not end with '\n' gains one.</para>
/// <para>At the end of input the channel is marked complete (unless <c>--keep-open</c>), so a <c>recv</c> without
/// <c>--count</c> ends once it has drained it. On an error or a signal it is not: a reader cannot mistake a cut
/// stream for a whole one.</para>
/// </remarks>
internal static class SendCommand
{
    private const int ChunkSize = 64 * 1024;

    /// <summary>Past this a line is too long for any channel (1 GiB, the largest ring), so reading it stops.</summary>
    private const int LongestLine = 1 << 30;

    public static Command Create()
    {
        Argument<string> name = Symbols.RegionName();
        Option<int?> capacity = Symbols.ChannelCapacity("If the channel does not exist, create it (persistent) with a ring of this many bytes. Without it, a missing channel is an error (exit 3).");
        Option<ChannelMode?> mode = Symbols.ChannelModeOption();
        Option<bool> keepOpen = new("--keep-open") { Description = "At the end of input, do not mark the channel complete, so readers keep waiting for more (e.g. while other mpsc writers still send)." };
        var command = new Command("send", "Send each line of standard input to a channel as one message: the line's bytes without its '\\n' (an empty line is an empty message; '\\r' and any bytes pass unchanged). Waits while the channel is full until a reader makes room; a line longer than the channel's largest message exits 2 and sends nothing more. At the end of input, marks the channel complete so that 'memshare recv' ends once drained, and prints how many messages it sent. 'send < FILE' then 'recv > COPY' reproduces a file that ends with a newline exactly; a last line without one gains it. Broadcast readers see only what is sent after they first attached, so start them first.")
        {
            name,
            capacity,
            mode,
            keepOpen,
        };
        command.SetAction(parse => Run(parse.GetRequiredValue(name), parse.GetValue(capacity), parse.GetValue(mode), parse.GetValue(keepOpen)));
        return command;
    }

    private static int Run(string name, int? capacity, ChannelMode? mode, bool keepOpen)
    {
        using var interruption = new Interruption();
        using SharedChannel channel = ChannelOpener.Open(name, capacity, mode, out bool created);
        long sent;
        using (SharedChannelWriter writer = channel.CreateWriter())
        using (Stream input = Console.OpenStandardInput())
        {
            sent = SendLines(input, writer, interruption);
            if (!keepOpen)
            {
                writer.Complete();
            }
        }

        string creation = created
            ? Messages.Format(Messages.SentCreated, ChannelWords.Mode(channel.Mode), channel.Capacity, name)
            : "";
        Console.WriteLine(Messages.Format(Messages.Sent, name, Messages.Count(sent, "message"), keepOpen ? "" : Messages.SentCompleted, creation));
        CliLifetime.NoteIfScoped(name, created);
        return ExitCodes.Success;
    }

    /// <summary>Sends every line of <paramref name="input"/> and returns how many; see the remarks for the framing.</summary>
    private static long SendLines(Stream input, SharedChannelWriter writer, Interruption interruption)
    {
        int max = writer.Channel.MaxMessageLength;
        byte[] chunk = new byte[ChunkSize];
        byte[] line = new byte[Math.Min(max, ChunkSize)]; // the start of a line that spans chunks
        int lineLength = 0;
        long sent = 0;
        int n;
        while ((n = Read(input, chunk, interruption, writer, sent)) > 0)
        {
            ReadOnlySpan<byte> rest = chunk.AsSpan(0, n);
            while (!rest.IsEmpty)
            {
                int newline = rest.IndexOf((byte)'\n');
                ReadOnlySpan<byte> piece = newline < 0 ? rest : rest[..newline];
                if ((long)lineLength + piece.Length > max)
                {
                    long length = lineLength + piece.Length;
                    bool stopped = false;
                    if (newline < 0)
                    {
                        length += CountToEndOfLine(input, chunk, interruption, writer, sent, out stopped);
                    }

                    throw TooLong(writer, sent, length, stopped);
                }

                if (newline >= 0 && lineLength == 0)
                {
                    Send(writer, piece, interruption, ref sent); // the whole line is in this chunk: no copy
                }
                else
                {
                    if (lineLength + piece.Length > line.Length)
                    {
                        Array.Resize(ref line, (int)Math.Min(max, Math.Max((long)line.Length * 2, lineLength + piece.Length)));
                    }

                    piece.CopyTo(line.AsSpan(lineLength));
                    lineLength += piece.Length;
                    if (newline >= 0)
                    {
                        Send(writer, line.AsSpan(0, lineLength), interruption, ref sent);
                        lineLength = 0;
                    }
                }

                rest = newline < 0 ? default : rest[(newline + 1)..];
            }
        }

        if (lineLength > 0)
        {
            Send(writer, line.AsSpan(0, lineLength), interruption, ref sent); // the last line had no '\n'
        }

        return sent;
    }

    private static void Send(SharedChannelWriter writer, ReadOnlySpan<byte> message, Interruption interruption, ref long sent)
    {
        try
        {
            writer.Write(message, interruption.Token); // waits while the channel is full
        }
        catch (OperationCanceledException) when (interruption.Signal != 0)
        {
            throw Interrupted(interruption, writer, sent);
        }

        sent++;
    }

    /// <summary>
    /// Reads the next chunk of stdin, or 0 at its end. The read runs on another thread so that a signal ends the
    /// wait for input (a terminal's stdin may block for ever); the abandoned read dies with the process.
    /// </summary>
    private static int Read(Stream input, byte[] chunk, Interruption interruption, SharedChannelWriter writer, long sent)
    {
        Task<int> read = input.ReadAsync(chunk, 0, chunk.Length, CancellationToken.None);
        if (!read.IsCompleted)
        {
            try
            {
                _ = Task.WaitAny([read], interruption.Token);
            }
            catch (OperationCanceledException) when (interruption.Signal != 0)
            {
                throw Interrupted(interruption, writer, sent);
            }
        }

        return read.GetAwaiter().GetResult();
    }

    /// <summary>
    /// Reads on to the end of a line that is already too long, to say how long it is. Stops counting (and sets
    /// <paramref name="stopped"/>) past the largest ring a channel can have, so endless input without '\n' still ends.
    /// </summary>
    private static long CountToEndOfLine(Stream input, byte[] chunk, Interruption interruption, SharedChannelWriter writer, long sent, out bool stopped)
    {
        long count = 0;
        int n;
        while ((n = Read(input, chunk, interruption, writer, sent)) > 0)
        {
            int newline = chunk.AsSpan(0, n).IndexOf((byte)'\n');
            count += newline < 0 ? n : newline;
            if (newline >= 0)
            {
                break;
            }

            if (count > LongestLine)
            {
                stopped = true;
                return count;
            }
        }

        stopped = false;
        return count;
    }

    /// <summary>The library's own message for a message too large (as <see cref="SharedChannelWriter.TryWrite(ReadOnlySpan{byte})"/> throws it), and where the line was.</summary>
    private static ArgumentException TooLong(SharedChannelWriter writer, long sent, long length, bool stopped)
    {
        SharedChannel channel = writer.Channel;
        string bytes = stopped
            ? Messages.Format(Messages.MoreThan, length)
            : length.ToString(CultureInfo.InvariantCulture);
        string library = Messages.Format(Messages.ChannelMessageTooLarge, channel.Name, bytes, channel.MaxMessageLength);
        return new ArgumentException(Messages.Format(Messages.LineTooLong, library, sent + 1, Messages.Count(sent, "line")));
    }

    private static InterruptedBySignalException Interrupted(Interruption interruption, SharedChannelWriter writer, long sent) =>
        new(interruption.Signal, Messages.Format(Messages.InterruptedSending, Interruption.NameOf(interruption.Signal), writer.Channel.Name, Messages.Count(sent, "message")));
}
