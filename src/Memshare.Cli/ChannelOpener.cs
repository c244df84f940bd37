namespace Memshare.Cli;

/// <summary>
/// How <c>send</c> and <c>recv</c> open a channel: with <c>--capacity</c>, created persistent if absent (the CLI
/// exits at once, and a scoped channel would vanish with it), so either may come first; without it, only opened.
/// </summary>
internal static class ChannelOpener
{
    /// <summary>
    /// Opens the channel, creating it if absent and <paramref name="capacity"/> is given. An existing channel keeps
    /// its mode and capacity; asking for others is worth a warning on stderr.
    /// </summary>
    /// <exception cref="FileNotFoundException">It does not exist and no capacity was given: exit 3, saying to pass --capacity.</exception>
    public static SharedChannel Open(string name, int? capacity, ChannelMode? mode, out bool created)
    {
        created = false;
        SharedChannel channel;
        if (capacity is not int bytes)
        {
            if (!SharedChannel.TryOpenExisting(name, out SharedChannel? existing))
            {
                throw new FileNotFoundException(Messages.Format(Messages.ChannelNotFound, name));
            }

            channel = existing;
        }
        else
        {
            channel = SharedChannel.CreateOrOpen(name, out created, new SharedChannelOptions
            {
                Capacity = bytes,
                Mode = mode ?? ChannelMode.SingleProducer,
            }, CliLifetime.NewRegion());
        }

        if (!created && ((capacity is int asked && asked != channel.Capacity) || (mode is ChannelMode m && m != channel.Mode)))
        {
            ExitCodes.WriteError(Messages.Format(Messages.ChannelOptionsIgnored, name, ChannelWords.Mode(channel.Mode), channel.Capacity));
        }

        return channel;
    }
}
