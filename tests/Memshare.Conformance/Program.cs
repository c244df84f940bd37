// One executable, two roles: the xunit v3 test runner, or (first argument "child") the peer process that the
// tests start, running one scenario of tests/Memshare.Tests.Child. Under Wine this keeps the Windows pass to a
// single self-contained publish.
if (args.Length > 0 && args[0] == "child")
{
    return Memshare.TestChild.Scenarios.Run(args[1..]);
}

return await Xunit.Runner.InProc.SystemConsole.ConsoleRunner.Run(args).ConfigureAwait(false);
