using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Memshare.Benchmarks.Ipc;

namespace Memshare.Benchmarks.Harness;

/// <summary>
/// The discipline of the cross-process harnesses: repetitions interleaved (repetition 1 of every session, then
/// repetition 2, ...; the order rotates each repetition), a session disturbed by other processes measured again once
/// the machine is quiet, every phase bounded, Ctrl-C honoured between phases, and nothing left in /dev/shm.
/// </summary>
internal static class SessionLoop
{
    /// <summary>How long one phase (one size of one measurement) may take before its peer is killed.</summary>
    private static readonly TimeSpan s_phaseLimit = TimeSpan.FromSeconds(60);

    private static readonly string s_namePrefix = $"msb-ipc-{Environment.ProcessId}-";
    private static int s_sessions;
    private static volatile bool s_interrupted;

    /// <summary>Ctrl-C or SIGTERM arrived: stop at the next phase.</summary>
    internal static bool Interrupted => s_interrupted;

    /// <summary>
    /// Runs every session <see cref="IpcResults.Reps"/> times, interleaved, recording the CPU time other processes
    /// used and the hypervisor stole per repetition and over the run; then checks that nothing was left behind.
    /// Returns false if the run was interrupted (peers stopped, shared memory removed, and said on stderr).
    /// <paramref name="probe"/>, if given, runs first in every repetition, as a session named "probe", so that it
    /// records the machine's state just before the repetition.
    /// </summary>
    internal static bool RunInterleaved((string Name, Action<int> Run)[] sessions, SessionPolicy policy, IpcResults results, Stopwatch clock, Action<int>? probe = null)
    {
        try
        {
            CpuAccounting? runStart = CpuAccounting.Sample();
            for (int rep = 0; rep < results.Reps; rep++)
            {
                CpuAccounting? repStart = CpuAccounting.Sample();
                if (probe is not null)
                {
                    RunSession("probe", probe, rep, policy, results);
                }

                for (int k = 0; k < sessions.Length; k++)
                {
                    (string name, Action<int> run) = sessions[(k + rep) % sessions.Length];
                    RunSession(name, run, rep, policy, results);
                }

                (double foreign, double steal) = CpuAccounting.Between(repStart, CpuAccounting.Sample());
                results.Add(IpcReport.ForeignCpu, 0, IpcResults.Share, rep, foreign);
                results.Add(IpcReport.StolenCpu, 0, IpcResults.Share, rep, steal);
                results.Commit();
                Console.Error.WriteLine($"repetition {rep + 1}/{results.Reps} done ({clock.Elapsed.TotalSeconds:F0} s; other processes used {foreign * 100:F0}% of the CPUs, the hypervisor stole {steal * 100:F0}%)");
            }

            results.Add(IpcReport.ForeignCpu, 1, IpcResults.Share, 0, CpuAccounting.Between(runStart, CpuAccounting.Sample()).Foreign);
            results.Commit();
        }
#pragma warning disable CA1031 // Once interrupted, whatever a session threw (a peer killed by the same Ctrl-C) just ends the run.
        catch (Exception) when (s_interrupted)
#pragma warning restore CA1031
        {
            CheckCleanup(results);
            Console.Error.WriteLine("Interrupted: peers stopped, shared memory and temporary files removed; no report.");
            return false;
        }

        CheckCleanup(results);
        return true;
    }

    /// <summary>
    /// Runs one session (one transport or group member, one repetition). If other processes took more than
    /// <see cref="SessionPolicy.MaxForeignCpu"/> of the CPUs meanwhile, its figures are dropped and it runs again once
    /// the machine is quiet, up to <see cref="SessionPolicy.SessionAttempts"/> times; the last attempt is kept and flagged.
    /// </summary>
    private static void RunSession(string name, Action<int> run, int rep, SessionPolicy policy, IpcResults results)
    {
        for (int attempt = 1; ; attempt++)
        {
            CpuAccounting? before = CpuAccounting.Sample();
            try
            {
                run(rep);
            }
#pragma warning disable CA1031 // One session failing must not lose the others' figures; the failure is reported.
            catch (Exception e) when (!s_interrupted)
#pragma warning restore CA1031
            {
                results.Discard();
                string failure = $"repetition {rep + 1}, {name}: {e.GetType().Name}: {e.Message}";
                results.Failures.Add(failure);
                Console.Error.WriteLine("FAILED " + failure);
                return;
            }

            double foreign = CpuAccounting.Between(before, CpuAccounting.Sample()).Foreign;
            if (!(foreign > policy.MaxForeignCpu) || attempt >= policy.SessionAttempts)
            {
                results.Commit();
                if (foreign > policy.MaxForeignCpu)
                {
                    results.Disturbed.Add($"repetition {rep + 1}, {name}: other processes used {foreign * 100:F0}% of the CPUs");
                }

                return;
            }

            results.Discard();
            results.Retries++;
            Console.Error.WriteLine($"  {name}: other processes used {foreign * 100:F0}% of the CPUs meanwhile; measuring it again when the machine is quiet");
            WaitForQuiet(policy);
        }
    }

    /// <summary>Waits (up to <see cref="SessionPolicy.QuietWait"/>) for a second in which other processes stay under the limit.</summary>
    private static void WaitForQuiet(SessionPolicy policy)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < policy.QuietWait && !s_interrupted)
        {
            CpuAccounting? before = CpuAccounting.Sample();
            Thread.Sleep(1000);
            if (!(CpuAccounting.Between(before, CpuAccounting.Sample()).Foreign > policy.MaxForeignCpu))
            {
                return;
            }
        }
    }

    /// <summary>
    /// For <see cref="PosixSignalRegistration"/> of SIGINT and SIGTERM: the first signal asks for a clean stop at the
    /// next phase, so peers are killed and shared memory and temporary files removed on the way out; a second one
    /// ends the process at once.
    /// </summary>
    internal static void Interrupt(PosixSignalContext context)
    {
        context.Cancel = !s_interrupted;
        s_interrupted = true;
    }

    /// <summary>Starts a phase: gives the peer <see cref="s_phaseLimit"/> and sends it <paramref name="command"/>.</summary>
    internal static void Begin(PeerProcess peer, string command)
    {
        if (s_interrupted)
        {
            throw new OperationCanceledException("Interrupted.");
        }

        peer.Arm(s_phaseLimit);
        peer.Command(command);
    }

    /// <summary>A fresh name for a session's shared memory, sockets and pipes, unique to this run.</summary>
    internal static string NextName() => s_namePrefix + Interlocked.Increment(ref s_sessions).ToString(CultureInfo.InvariantCulture);

    /// <summary>Every region, socket and pipe this run made must be gone: a leftover is reported as a failure.</summary>
    private static void CheckCleanup(IpcResults results)
    {
        string[] leftovers =
        [
            .. Directory.Exists("/dev/shm") ? Directory.GetFiles("/dev/shm", s_namePrefix + "*") : [],
            .. Directory.GetFiles(Path.GetTempPath(), "CoreFxPipe_" + s_namePrefix + "*"),
        ];
        foreach (string path in leftovers)
        {
            results.Failures.Add($"cleanup: {path} was left behind (removed now)");
            File.Delete(path);
        }
    }
}
