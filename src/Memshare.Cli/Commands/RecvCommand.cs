using System.CommandLine;

namespace Memshare.Cli.Commands;

/// <summary>
/// <c>memshare recv NAME [--count N] [--timeout T] [--reader INDEX] [--capacity BYTES] [--mode M] [--detach]</c>:
/// prints each message of a channel followed by '\n'.
/// </summary>
/// <remarks>
/// <para>Messages go to stdout as raw bytes through a buffer, flushed whenever no message is waiting and at exit.
/// A message is consumed (the reader index's position in the channel moves past it) once it is in that buffer,
/// so if recv is killed (SIGKILL) the messages still in its buffer are lost; a signal it handles (SIGINT,
/// SIGTERM, SIGHUP, SIGQUIT) flushes them first.</para>
/// <para>Ends with exit 0 after <c>--count</c> messages, or when the channel is complete (its writer reached
/// the end of its input) and drained; with exit 6 when <c>--timeout</c> passes without a message. A channel that
/// an earlier writer completed counts as complete until the next writer attaches, so a recv started against it
/// before the new <c>send</c> ends at once once drained.</para>
/// </remarks>
internal static class RecvCommand
{
    private const int OutputBufferSize = 64 * 1024;

    public static Command Create()
    {
        Argument<string> name = Symbols.RegionName();
        Option<int?> count = new("--count") { HelpName = "n", Description = "Exit 0 after this many messages (fewer if the channel is completed first)." };
        Option<TimeSpan?> timeout = Symbols.Timeout("How long to wait for each message; if none arrives by then (and the channel is not complete), exit 6.");
        Option<int> reader = new("--reader") { HelpName = "index", Description = "The reader index to read as: 0 unless the channel is broadcast (0 to 7 by default). An index keeps its position in the channel, so the next recv with it resumes where this one stopped.", DefaultValueFactory = _ => 0 };
        Option<int?> capacity = Symbols.ChannelCapacity("If the channel does not exist, create it (persistent) with a ring of this many bytes, so recv may start before send. Without it, a missing channel is an error (exit 3).");
        Option<ChannelMode?> mode = Symbols.ChannelModeOption();
        Option<bool> detach = new("--detach") { Description = "Broadcast only: on exit, detach the reader index, so it stops holding back the writer; the next recv with it starts with new messages." };
        var command = new Command("recv", "Print each message of a channel followed by '\\n', as raw bytes. Exits 0 after --count messages or once the channel is complete (its sender reached the end of its input) and drained; 6 if --timeout passes without a message; 3 if the channel does not exist and no --capacity is given; 128+N if a signal N interrupts it. Messages waiting in recv's output buffer are flushed whenever it waits, and on exit. A channel completed by an earlier send stays complete until the next send attaches, so a recv started before that send drains it and ends.")
        {
            name,
            count,
            timeout,
            reader,
            capacity,
            mode,
            detach,
        };
        command.SetAction(parse => Run(
            parse.GetRequiredValue(name), parse.GetValue(count), parse.GetValue(timeout), parse.GetValue(reader), parse.GetValue(capacity), parse.GetValue(mode), parse.GetValue(detach)));
        return command;
    }

    private static int Run(string name, int? count, TimeSpan? timeout, int index, int? capacity, ChannelMode? mode, bool detach)
    {
        if (count < 0)
        {
            throw new ArgumentException(Messages.Format(Messages.NegativeCount, count));
        }

        using var interruption = new Interruption();
        using SharedChannel channel = ChannelOpener.Open(name, capacity, mode, out _);
        if (index < 0 || index >= channel.MaxReaders)
        {
            throw new ArgumentException(Messages.Format(Messages.BadReaderIndex, name, index, channel.MaxReaders, channel.MaxReaders - 1));
        }

        SharedChannelReader reader = channel.CreateReader(index);
        long received = 0;
        Console.Out.Flush();
        using Stream stdout = Console.OpenStandardOutput();
        var output = new BufferedStream(stdout, OutputBufferSize);
        try
        {
            // Overrun channels cannot be read in place (the writer may overwrite a message meanwhile): copy out.
            byte[]? buffer = channel.Mode == ChannelMode.Broadcast && channel.Overflow == ChannelOverflow.Overrun
                ? new byte[channel.MaxMessageLength]
                : null;
            while (count is null || received < count)
            {
                if (TryCopyNext(reader, buffer, output))
                {
                    received++;
                    continue;
                }

                output.Flush(); // idle: what arrived so far goes out now, not when the buffer fills
                ChannelWaitResult waited = Wait(reader, timeout, interruption, received);
                if (waited != ChannelWaitResult.Ready)
                {
                    if (waited == ChannelWaitResult.TimedOut)
                    {
                        string got = count is int asked
                            ? Messages.Format(Messages.ReceivedOf, received, Messages.Count(asked, "message"))
                            : Messages.Count(received, "message");
                        throw new TimeoutException(Messages.Format(Messages.ReceiveTimedOut, name, Duration.Format(timeout!.Value), got));
                    }

                    if (!TryCopyNext(reader, buffer, output))
                    {
                        break; // complete and drained
                    }

                    received++; // committed just before the mark, after the wait looked
                }
            }
        }
        finally
        {
            try
            {
                output.Flush();
            }
            finally
            {
                if (detach && channel.Mode == ChannelMode.Broadcast)
                {
                    reader.Detach();
                }
                else
                {
                    reader.Dispose();
                }
            }
        }

        return ExitCodes.Success;
    }

    /// <summary>Writes the next message and a '\n' to <paramref name="output"/> and consumes it; false if none is waiting.</summary>
    private static bool TryCopyNext(SharedChannelReader reader, byte[]? buffer, Stream output)
    {
        if (buffer is not null)
        {
            if (!reader.TryRead(buffer, out int length))
            {
                return false;
            }

            output.Write(buffer, 0, length);
            output.WriteByte((byte)'\n');
            return true;
        }

        if (!reader.TryPeek(out ReadOnlySpan<byte> message))
        {
            return false;
        }

        output.Write(message);
        output.WriteByte((byte)'\n');
        reader.Advance(); // only once the bytes are ours: a failed write leaves the message unread
        return true;
    }

    private static ChannelWaitResult Wait(SharedChannelReader reader, TimeSpan? timeout, Interruption interruption, long received)
    {
        try
        {
            return reader.WaitToRead(timeout ?? Timeout.InfiniteTimeSpan, interruption.Token);
        }
        catch (OperationCanceledException) when (interruption.Signal != 0)
        {
            throw new InterruptedBySignalException(interruption.Signal, Messages.Format(
                Messages.InterruptedReceiving, Interruption.NameOf(interruption.Signal), reader.Channel.Name, Messages.Count(received, "message")));
        }
    }
}
