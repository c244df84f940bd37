// A parent writes a string into shared memory and starts a child that reads it by name:
//   dotnet run --project samples/ParentChild
using System.Diagnostics;
using Memshare;

if (args is ["child", string childName])
{
    using SharedString slot = SharedString.OpenExisting(childName, SharedMemoryOptions.ReadOnly);
    Console.WriteLine($"Child process read from shared memory: {slot.Get()}");
    return 0;
}

string name = $"parentchild-{Environment.ProcessId}";
using (SharedString shared = SharedString.CreateNew(name, capacity: 256))
{
    shared.Set("This is a test string");

    // Re-run this program as the child: the apphost directly, or `dotnet Sample.dll` when run that way.
    string self = Environment.ProcessPath!;
    var start = Path.GetFileNameWithoutExtension(self) == "dotnet"
        ? new ProcessStartInfo(self) { ArgumentList = { typeof(Program).Assembly.Location, "child", name } }
        : new ProcessStartInfo(self) { ArgumentList = { "child", name } };
    using Process child = Process.Start(start)!;
    child.WaitForExit();
    Console.WriteLine($"Child exited with {child.ExitCode}");
}

// The region was scoped: it disappeared with its last holder.
Console.WriteLine($"Region still exists: {SharedMemory.TryOpenExisting(name, out _)}");
return 0;
