namespace Memshare.TestChild;

/// <summary>Scenarios the tests run in a separate process. Each prints what the test checks to stdout.</summary>
public static class Scenarios
{
    public static int Run(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine("usage: Memshare.Tests.Child SCENARIO [ARGS...]");
            return 2;
        }

        if (SyncScenarios.TryRun(args, out int syncExitCode))
        {
            return syncExitCode;
        }

        if (ChannelScenarios.TryRun(args, out int channelExitCode))
        {
            return channelExitCode;
        }

        if (MisuseScenarios.TryRun(args, out int misuseExitCode))
        {
            return misuseExitCode;
        }

#if !PUBLIC_API_ONLY // the conformance suite compiles these scenarios too, but not the ones that reach internals
        if (OperatingSystem.IsLinux() && LockFileProtocol.LockFileScenarios.TryRun(args, out int lockFileExitCode))
        {
            return lockFileExitCode;
        }
#endif

        switch (args[0])
        {
            case "ping":
                Console.WriteLine("pong");
                return 0;
            case "repl":
                return Repl.Run();
            case "race-worker":
                return RaceWorker.Run(args[1..]);
            case "string-writer":
                return Writers.StringWriter(args[1..]);
            case "value-writer":
                return Writers.ValueWriter(args[1..]);
            case "hold-writer-lock":
                return Writers.HoldWriterLock(args[1..]);
            case "init-hang":
                return InitHang.Run(args[1..]);
            default:
                Console.Error.WriteLine($"unknown scenario '{args[0]}'");
                return 2;
        }
    }
}
