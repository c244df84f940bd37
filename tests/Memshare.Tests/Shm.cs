
namespace Memshare.Tests;

/// <summary>Looks at /dev/shm from the outside, the way another program would.</summary>
internal static class Shm
{
    public static string PathOf(string name) => "/dev/shm/" + name;

    public static bool Exists(string name) => File.Exists(PathOf(name)) || Directory.Exists(PathOf(name)) || IsLink(name);

    public static bool IsLink(string name) => new FileInfo(PathOf(name)).LinkTarget is not null;

    /// <summary>The file's mode bits, including setuid/setgid/sticky (07777).</summary>
    public static int Mode(string name) =>
        OperatingSystem.IsWindows() ? throw new PlatformNotSupportedException() : (int)File.GetUnixFileMode(PathOf(name));

    public static long Length(string name) => new FileInfo(PathOf(name)).Length;

    /// <summary>The owner's uid, as <c>stat</c> reports it.</summary>
    public static int Owner(string name) => int.Parse(Run("stat", "-c", "%u", PathOf(name)).Trim(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Runs a program, fails the test unless it exits with 0, and returns its stdout.</summary>
    public static string Run(string program, params string[] args)
    {
        var info = new System.Diagnostics.ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var p = System.Diagnostics.Process.Start(info)!;
        Task<string> err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(30_000), $"{program} did not finish");
        Assert.True(p.ExitCode == 0, $"{program} {string.Join(' ', args)} failed with {p.ExitCode}: {err.Result}");
        return output;
    }

    /// <summary>Removes whatever is at the name (file, link, FIFO or directory) without following links.</summary>
    public static void Delete(string name)
    {
        string path = PathOf(name);
        if (Directory.Exists(path) && !IsLink(name))
        {
            Directory.Delete(path, recursive: true);
        }
        else if (File.Exists(path) || IsLink(name))
        {
            File.Delete(path);
        }
    }
}

/// <summary>Tests whose peers spin run alone: the box has two cores.</summary>
[CollectionDefinition("Spinning", DisableParallelization = true)]
public sealed class SpinningCollectionDefinition
{
}
