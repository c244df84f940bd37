using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Aot;

/// <summary>
/// A NativeAOT process and a JIT process share SharedValue&lt;T&gt; both ways: tests/Memshare.AotPeer runs once as a
/// NativeAOT binary (published by <see cref="AotPublish"/>) and once on the JIT, and one creates what the other opens,
/// checks and overwrites, for a record struct, explicit layout, nested structs, fixed buffers, enum/bool/char fields
/// and a generic struct. Opening succeeds only if both runtimes compute the same layout fingerprint.
/// </summary>
[Collection("NativeAot")]
public sealed class AotJitSharedValueTests : IDisposable
{
    private readonly ShmScope _scope = new();

    public void Dispose() => _scope.Dispose();

    private static Child Aot(params string[] args) => Child.Program(AotPublish.Peer, args);

    private static Child Jit(params string[] args) => Child.Program("dotnet", [Path.Combine(Child.BinDirectory, "Memshare.AotPeer.dll"), .. args]);

    [Fact]
    public void SharedValue_AotCreates_JitOpensChecksAndWrites_AotSeesTheWrites()
    {
        Share(creator: Aot, visitor: Jit);
    }

    [Fact]
    public void SharedValue_JitCreates_AotOpensChecksAndWrites_JitSeesTheWrites()
    {
        Share(creator: Jit, visitor: Aot);
    }

    [Fact]
    public void SharedValue_OtherTypeWithSameLayout_AotCreates_JitRefuses()
    {
        Refuse(creator: Aot, opener: Jit);
    }

    [Fact]
    public void SharedValue_OtherTypeWithSameLayout_JitCreates_AotRefuses()
    {
        Refuse(creator: Jit, opener: Aot);
    }

    private void Refuse(Func<string[], Child> creator, Func<string[], Child> opener)
    {
        string prefix = _scope.Name();
        Child server = _scope.Track(creator(["serve", prefix]));
        Assert.Equal("ready", server.ReadLine(TimeSpan.FromSeconds(60)));

        var refused = Finish(opener(["refuse", prefix]));

        Assert.True(refused.Exit == 0, $"the twin type was accepted: {string.Join('\n', refused.Lines)} {refused.Stderr}");
        Assert.Contains($"Region '{prefix}-quote' holds a SharedValue<Quote> of 24 bytes", refused.Lines[0], StringComparison.Ordinal);
        Assert.Contains("opened as SharedValue<QuoteTwin> of 24 bytes", refused.Lines[0], StringComparison.Ordinal);
        server.WriteLine("done");
        _ = server.WaitForExit(); // it reports its values unchanged; only the refusal matters here
    }

    private void Share(Func<string[], Child> creator, Func<string[], Child> visitor)
    {
        string prefix = _scope.Name();
        Child server = _scope.Track(creator(["serve", prefix]));
        Assert.Equal("ready", server.ReadLine(TimeSpan.FromSeconds(60)));

        var visit = Finish(visitor(["visit", prefix]));
        Assert.True(visit.Exit == 0 && visit.Lines.SequenceEqual(["ok"]),
            $"visitor exit {visit.Exit}:\n{string.Join('\n', visit.Lines)}\n{visit.Stderr}");

        server.WriteLine("check");
        List<string> lines = server.RemainingLines();
        Assert.True(server.WaitForExit() == 0 && lines.SequenceEqual(["ok"]), $"creator:\n{string.Join('\n', lines)}\n{server.Stderr}");
    }

    private static (int Exit, List<string> Lines, string Stderr) Finish(Child child)
    {
        using (child)
        {
            child.CloseInput();
            List<string> lines = child.RemainingLines();
            return (child.WaitForExit(), lines, child.Stderr);
        }
    }
}
