using System.Globalization;

namespace Memshare.Benchmarks.Harness;

/// <summary>
/// Walks a harness's command-line options; every error is an <see cref="ArgumentException"/> that ends with the
/// harness's usage line.
/// </summary>
internal sealed class OptionReader(string[] args, string usage)
{
    private int _index = -1;

    /// <summary>The option being read.</summary>
    internal string Current => args[_index];

    internal bool MoveNext() => ++_index < args.Length;

    /// <summary>The option's value, which must be there and must not look like an option; <paramref name="what"/> names it in the error.</summary>
    internal string Value(string what)
    {
        if (_index + 1 >= args.Length || args[_index + 1].StartsWith("--", StringComparison.Ordinal))
        {
            throw Error($"{Current} needs {what}.");
        }

        return args[++_index];
    }

    /// <summary>The option's value as a count from 1 to <paramref name="max"/>.</summary>
    internal int Count(int max)
    {
        string option = Current;
        int count = _index + 1 < args.Length && int.TryParse(args[++_index], NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : 0;
        if (count < 1 || count > max)
        {
            throw Error($"{option} needs a count from 1 to {max}.");
        }

        return count;
    }

    /// <summary>The option's value as a comma-separated set of names, each one of <paramref name="choices"/> when those are given.</summary>
    internal IReadOnlySet<string> Names(string what, string[]? choices = null)
    {
        string option = Current;
        string[] names = Value(what).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string[] unknown = choices is null ? [] : [.. names.Where(n => !choices.Contains(n))];
        if (unknown.Length > 0)
        {
            throw Error($"{option}: unknown '{string.Join("', '", unknown)}'; choose from {string.Join(", ", choices!)}.");
        }

        return names.ToHashSet();
    }

    internal ArgumentException Unknown() => Error($"Unknown option '{Current}'.");

    private ArgumentException Error(string message) => new($"{message} {usage}");
}
