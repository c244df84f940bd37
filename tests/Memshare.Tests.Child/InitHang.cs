namespace Memshare.TestChild;

/// <summary>
/// "init-hang NAME": creates region NAME (4096 bytes) with an initializer that prints "initializing" and never
/// returns, standing for a creator that hangs mid-creation. The test kills it.
/// </summary>
internal static class InitHang
{
    public static int Run(string[] args)
    {
        RegionInitializer hang = _ =>
        {
            Console.WriteLine("initializing");
            Console.Out.Flush();
            Thread.Sleep(Timeout.Infinite);
        };
        using SharedMemory region = SharedMemory.CreateNew(args[0], 4096, hang);
        return 1; // not reached
    }
}
