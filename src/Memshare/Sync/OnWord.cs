namespace Memshare.Sync;

/// <summary>A condition that sleeps on a <see cref="WakeWord"/>: what the event's and the channel's waits give <see cref="SpinThenSleep"/>.</summary>
internal struct OnWord<T>(T condition, WakeWord word) : IWaitCondition, ISleep
    where T : struct, IWaitCondition
{
    private T _condition = condition;

    internal readonly T Condition => _condition;

    public bool IsMet() => _condition.IsMet();

    public bool IsFinished() => _condition.IsFinished();

    public readonly int Announce() => word.Announce();

    public readonly void Withdraw() => word.Withdraw();

    public readonly void Sleep(int announced, int timeoutMs) => word.Sleep(announced, timeoutMs);
}
