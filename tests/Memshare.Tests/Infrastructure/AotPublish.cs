using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Memshare.Tests.Peers;

namespace Memshare.Tests.Infrastructure;

/// <summary>
/// Publishes a project with NativeAOT once and reuses the result: cached under /tmp/memshare-aot by a hash of every
/// source that goes into it (the project's directory, src/Memshare, the build props, the SDK), so a test run
/// publishes each artifact at most once and a rerun with unchanged sources publishes nothing. Builds go to their
/// own artifacts directory, never into the working tree's bin/obj.
/// </summary>
public static class AotPublish
{
    /// <summary>One publish at a time: two at once on two cores take as long and risk each other's timeouts.</summary>
    private static readonly SemaphoreSlim s_gate = new(1, 1);

    private static readonly string[] s_buildFiles = ["Directory.Build.props", "Directory.Packages.props", "global.json"];

    private static readonly Lazy<string> s_peer = new(() => Publish("tests/Memshare.AotPeer", "Memshare.AotPeer"));

    /// <summary>The NativeAOT build of tests/Memshare.AotPeer.</summary>
    public static string Peer => s_peer.Value;

    /// <summary>
    /// Publishes <paramref name="projectDir"/> (relative to the repository root) with PublishAot and returns the path
    /// of <paramref name="artifact"/> in the output directory.
    /// </summary>
    public static string Publish(string projectDir, string artifact, params string[] properties)
    {
        string root = NativeBuild.RepoRoot;
        string key = InputHash(root, projectDir, properties);
        string dir = Path.Combine(Path.GetTempPath(), "memshare-aot", $"{Path.GetFileName(projectDir)}-{key}");
        string output = Path.Combine(dir, "out");
        string result = Path.Combine(output, artifact);
        s_gate.Wait();
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(dir)!);
            using FileStream held = HoldLock(dir + ".lock"); // another test run (another worktree) may publish the same
            if (File.Exists(Path.Combine(dir, "complete")))
            {
                return result;
            }

            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true); // an earlier publish that did not finish
            }

            Directory.CreateDirectory(dir);
            var stopwatch = Stopwatch.StartNew();
            Run(root, ["publish", Path.Combine(root, projectDir), "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true",
                "--artifacts-path", Path.Combine(dir, "build"), "-o", output, .. properties.Select(p => "-p:" + p)]);
            File.WriteAllText(Path.Combine(dir, "complete"), $"published in {stopwatch.Elapsed.TotalSeconds:F0} s\n");
            Directory.Delete(Path.Combine(dir, "build"), recursive: true); // intermediate files: hundreds of MB
            Assert.True(File.Exists(result), $"dotnet publish {projectDir} succeeded but made no {result}");
            return result;
        }
        finally
        {
            s_gate.Release();
        }
    }

    /// <summary>Opens <paramref name="path"/> exclusively, waiting up to 15 minutes for another process to let go.</summary>
    private static FileStream HoldLock(string path)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (waited.Elapsed < TimeSpan.FromMinutes(15))
            {
                Thread.Sleep(1000);
            }
        }
    }

    private static void Run(string root, string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = root,
        };
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        using Process process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', args)} took over 10 minutes.");
        }

        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"dotnet {string.Join(' ', args)} failed (exit {process.ExitCode}). NativeAOT needs a C toolchain (clang or gcc): apt-get install gcc.\n{stdout.Result}\n{stderr.Result}");
        }
    }

    /// <summary>SHA-256 over the path and bytes of each input file, the properties and the SDK, as 16 hex digits.</summary>
    private static string InputHash(string root, string projectDir, string[] properties)
    {
        string[] dirs = [projectDir, "src/Memshare"];
        IEnumerable<string> files = dirs
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(root, d), "*", SearchOption.AllDirectories))
            .Where(f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal))
            .Concat(s_buildFiles.Select(f => Path.Combine(root, f)))
            .Order(StringComparer.Ordinal);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (string file in files)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(Path.GetRelativePath(root, file) + "\n"));
            sha.AppendData(File.ReadAllBytes(file));
        }

        sha.AppendData(Encoding.UTF8.GetBytes(string.Join(' ', properties) + "\n" + System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription));
        return Convert.ToHexString(sha.GetHashAndReset())[..16];
    }
}

/// <summary>
/// Tests that publish with NativeAOT run alone: a publish keeps both cores busy for a minute or more, which would
/// squeeze the timing bounds of tests running beside it.
/// </summary>
[CollectionDefinition("NativeAot", DisableParallelization = true)]
public sealed class NativeAotCollectionDefinition
{
}
