namespace Memshare;

/// <summary>How <see cref="SharedChannelReader.WaitToRead"/> ended.</summary>
public enum ChannelWaitResult
{
    /// <summary>The timeout passed with no message waiting; the channel is still open.</summary>
    TimedOut = 0,

    /// <summary>A message is waiting: <see cref="SharedChannelReader.TryRead"/> will return it.</summary>
    Ready = 1,

    /// <summary>A writer called <see cref="SharedChannelWriter.Complete"/> and every message has been read: none will come unless a writer attaches again.</summary>
    Completed = 2,
}
