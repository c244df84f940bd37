using System.Diagnostics;

namespace Memshare.Cli;

/// <summary>Starts this program again as a separate process, for the demos' children.</summary>
internal static class SelfProcess
{
    /// <summary>
    /// Runs this program with <paramref name="arguments"/>, sharing our console (stdin, stdout, stderr), and
    /// returns the started process. Works for the apphost, the installed tool and <c>dotnet Memshare.Cli.dll</c>.
    /// </summary>
    public static Process Start(params string[] arguments)
    {
        string self = Environment.ProcessPath ?? throw new InvalidOperationException(Messages.NoProcessPath);
        var start = new ProcessStartInfo(self) { UseShellExecute = false };
        if (string.Equals(Path.GetFileNameWithoutExtension(self), "dotnet", StringComparison.OrdinalIgnoreCase))
        {
            // Started as 'dotnet Memshare.Cli.dll': the child needs the dll too. It sits in the app's directory
            // (Assembly.Location would be empty in a single-file or native build, hence not used).
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, typeof(SelfProcess).Assembly.GetName().Name + ".dll"));
        }

        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException(Messages.NoProcessPath);
    }
}
