using System.Diagnostics;

namespace Memshare.Tests.Peers;

/// <summary>
/// Compiles the C and C++ peers under <c>interop/</c> once per test run into a temporary directory, with the
/// flags the README promises (warnings are errors), so a test also proves the sources build cleanly.
/// </summary>
public static class NativeBuild
{
    private static readonly Lazy<string> s_outDir = new(() =>
    {
        string dir = Path.Combine(Path.GetTempPath(), $"memshare-native-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(dir);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
                // A peer may still be running its binary; the temp directory is cleaned by the OS eventually.
            }
        };
        return dir;
    });

    private static readonly Lazy<string> s_cPeer = new(() =>
        Compile("gcc", "gcc", "c-peer", ["-std=c99", "-Wall", "-Wextra", "-Werror", "-O2", Source("interop/c/tests/peer.c")]));

    private static readonly Lazy<string> s_cCli = new(() =>
        Compile("gcc", "gcc", "memshare-c", ["-std=c99", "-Wall", "-Wextra", "-Werror", "-O2", Source("interop/c/example.c")]));

    private static readonly Lazy<string> s_cCliAsCpp = new(() =>
        Compile("g++", "g++", "memshare-c-cpp", ["-x", "c++", "-Wall", "-Wextra", "-Werror", "-O2", Source("interop/c/example.c")]));

    private static readonly Lazy<string> s_boostPeer = new(() =>
        Compile("g++", "g++ and libboost-dev", "boost-peer",
            ["-std=c++17", "-Wall", "-Wextra", "-Werror", "-O2", Source("interop/boost/peer.cpp"), "-lrt", "-pthread"]));

    /// <summary>interop/c/tests/peer.c: the stress and stream modes the tests drive.</summary>
    public static string CPeer => s_cPeer.Value;

    /// <summary>interop/c/example.c: the memshare-c CLI.</summary>
    public static string CCli => s_cCli.Value;

    /// <summary>interop/c/example.c compiled as C++ (the header promises to build with g++ too).</summary>
    public static string CCliAsCpp => s_cCliAsCpp.Value;

    /// <summary>interop/boost/peer.cpp, built against the header-only Boost.Interprocess.</summary>
    public static string BoostPeer => s_boostPeer.Value;

    /// <summary>The repository root: the directory above the test binaries that holds Memshare.slnx.</summary>
    public static string RepoRoot { get; } = FindRoot();

    private static string Source(string relative) => Path.Combine(RepoRoot, relative);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Memshare.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Memshare.slnx above {AppContext.BaseDirectory}; run the tests from the repository.");
    }

    internal static string Compile(string compiler, string packages, string output, string[] args)
    {
        string exe = Path.Combine(s_outDir.Value, output);
        var info = new ProcessStartInfo(compiler)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-o");
        info.ArgumentList.Add(exe);
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
                $"The interop tests need the C compiler '{compiler}', which could not be started ({e.Message}). Install it: apt-get install {packages}.", e);
        }

        using (process)
        {
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(120_000))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{compiler} took over 2 minutes to build {output}.");
            }

            string errors = stdout.Result + stderr.Result;
            if (process.ExitCode != 0)
            {
                string hint = errors.Contains("boost/", StringComparison.Ordinal) && errors.Contains("No such file", StringComparison.Ordinal)
                    ? " The Boost headers are missing: apt-get install libboost-dev."
                    : "";
                throw new InvalidOperationException($"{compiler} {string.Join(' ', args)} failed (exit {process.ExitCode}).{hint}\n{errors}");
            }

            if (errors.Length > 0)
            {
                throw new InvalidOperationException($"{compiler} built {output} but printed diagnostics:\n{errors}");
            }
        }

        return exe;
    }
}
