namespace Memshare.Benchmarks.Harness;

/// <summary>
/// The peer side of <see cref="PeerProcess"/>: a hidden subcommand that says "ready", then runs one command per
/// stdin line and answers each, until "quit" or until its stdin closes (so it never outlives the harness for long).
/// </summary>
internal static class PeerCommands
{
    /// <summary>
    /// Runs the peer subcommand <paramref name="subcommand"/>; any failure reaches the harness as a line
    /// "error: TYPE: MESSAGE" on stdout, with the details on stderr, and the exit code is 1.
    /// </summary>
    internal static int Run(string subcommand, string[] args, Func<int> peer)
    {
        try
        {
            return peer();
        }
#pragma warning disable CA1031 // The harness gets any failure as a line on stdout, and the details on stderr.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Console.WriteLine($"error: {e.GetType().Name}: {e.Message}");
            Console.Error.WriteLine($"{subcommand} {string.Join(' ', args)}: {e}");
            return 1;
        }
    }

    /// <summary>
    /// Says "ready", then hands each command's space-separated words to <paramref name="command"/> and writes the
    /// answer it returns ("done", or "done" and a figure); null means the command is unknown.
    /// </summary>
    internal static int Serve(Func<string[], string?> command)
    {
        Console.WriteLine("ready");
        while (Console.ReadLine() is string line)
        {
            string[] words = line.Split(' ');
            if (words[0] == "quit")
            {
                return 0;
            }

            Console.WriteLine(command(words) ?? throw new ArgumentException($"Unknown command '{line}'."));
        }

        return 0;
    }
}
