namespace Memshare.Sync;

/// <summary>A condition that sleeps on a <see cref="WakeWord"/>: what the event's and the channel's waits give <see cref="SpinThenSleep"/>.</summary>
internal struct OnWord<T>(T condition, WakeWord word) : IWaitCondition, ISleep
    where T : struct, IWaitCondition
{
    private T _condition = condition;

    internal readonly T Condition => _condition;

    public bool IsMet() => _condition.IsMet();

    public bool IsFinished() => _condition.IsFinished();

    public readonly void Announce() => word.Announce();

    public readonly int Observe() => word.Observe();

    public readonly void Withdraw() => word.Withdraw();

    public readonly void Sleep(int observed, int timeoutMs) => word.Sleep(observed, timeoutMs);
}
