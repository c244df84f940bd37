using System.Globalization;
using System.Text.RegularExpressions;

namespace Memshare.Tests.Golden;

/// <summary>
/// The named constants of the two peers, read from their sources: every object-like <c>#define MS_...</c> of
/// interop/c/memshare.h and every module-level UPPER_CASE assignment of interop/python/memshare.py (tuple assignments
/// included). Integer expressions (literals with C suffixes, parentheses, unary minus, + - * &lt;&lt; &gt;&gt; | and earlier
/// names) are evaluated; anything else keeps its source text with no value.
/// </summary>
internal static partial class PeerConstants
{
    public sealed record Constant(string Name, string Source, long? Value);

    public static List<Constant> FromC(string text)
    {
        text = BlockComment().Replace(text, " ");
        var found = new List<Constant>();
        var known = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (Match m in CDefine().Matches(text))
        {
            string name = m.Groups["name"].Value, source = m.Groups["value"].Value.Trim();
            found.Add(Evaluated(name, source, known));
        }

        return found;
    }

    public static List<Constant> FromPython(string text)
    {
        var found = new List<Constant>();
        var known = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (Match m in PythonAssignment().Matches(text))
        {
            string[] names = m.Groups["names"].Value.Split(',', StringSplitOptions.TrimEntries);
            string source = WithoutComment(m.Groups["value"].Value);
            string[] values = names.Length == 1 ? [source] : source.Split(',', StringSplitOptions.TrimEntries);
            for (int i = 0; i < names.Length; i++)
            {
                found.Add(Evaluated(names[i], values.Length == names.Length ? values[i] : source, known));
            }
        }

        return found;
    }

    /// <summary>The line up to a '#' that is not inside a string literal.</summary>
    private static string WithoutComment(string line)
    {
        char quote = '\0';
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quote != '\0')
            {
                quote = c == quote ? '\0' : quote;
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '#')
            {
                return line[..i].Trim();
            }
        }

        return line.Trim();
    }

    private static Constant Evaluated(string name, string source, Dictionary<string, long> known)
    {
        long? value = new Parser(source, known).TryEvaluate();
        if (value is long v)
        {
            known[name] = v;
        }

        return new Constant(name, source, value);
    }

    /// <summary>A small recursive-descent evaluator for the integer expressions the peers use.</summary>
    private sealed class Parser(string source, Dictionary<string, long> known)
    {
        private readonly List<string> _tokens = Token().Matches(source).Select(t => t.Value).ToList();
        private int _at;

        public long? TryEvaluate()
        {
            if (string.Concat(_tokens) != Regex.Replace(source, @"\s+", ""))
            {
                return null; // characters the tokenizer does not know: strings, calls, dicts
            }

            try
            {
                long v = Or();
                return _at == _tokens.Count ? v : null;
            }
            catch (FormatException)
            {
                return null;
            }
        }

        private string? Peek => _at < _tokens.Count ? _tokens[_at] : null;

        private long Or()
        {
            long v = Shift();
            while (Peek == "|")
            {
                _at++;
                v |= Shift();
            }

            return v;
        }

        private long Shift()
        {
            long v = Additive();
            while (Peek is "<<" or ">>")
            {
                bool left = _tokens[_at++] == "<<";
                int by = (int)Additive();
                v = left ? v << by : v >> by;
            }

            return v;
        }

        private long Additive()
        {
            long v = Multiplicative();
            while (Peek is "+" or "-")
            {
                bool plus = _tokens[_at++] == "+";
                long r = Multiplicative();
                v = unchecked(plus ? v + r : v - r);
            }

            return v;
        }

        private long Multiplicative()
        {
            long v = Unary();
            while (Peek == "*")
            {
                _at++;
                v = unchecked(v * Unary());
            }

            return v;
        }

        private long Unary()
        {
            string t = Peek ?? throw new FormatException("expression ends early");
            _at++;
            if (t == "-")
            {
                return -Unary();
            }

            if (t == "(")
            {
                long v = Or();
                if (Peek != ")")
                {
                    throw new FormatException("no ')'");
                }

                _at++;
                return v;
            }

            string digits = t.TrimEnd('u', 'U', 'l', 'L');
            if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            {
                return unchecked((long)ulong.Parse(digits[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            }

            if (char.IsAsciiDigit(digits[0]))
            {
                return long.Parse(digits, CultureInfo.InvariantCulture);
            }

            return known.TryGetValue(t, out long named) ? named : throw new FormatException($"unknown name {t}");
        }
    }

    [GeneratedRegex(@"/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex BlockComment();

    [GeneratedRegex(@"^[ \t]*#[ \t]*define[ \t]+(?<name>MS_\w+)(?:[ \t]+(?<value>[^\r\n]*))?$", RegexOptions.Multiline)]
    private static partial Regex CDefine();

    [GeneratedRegex(@"^(?<names>_?[A-Z][A-Z0-9_]*(?:[ \t]*,[ \t]*_?[A-Z][A-Z0-9_]*)*)[ \t]*=(?!=)[ \t]*(?<value>[^\r\n]*)$", RegexOptions.Multiline)]
    private static partial Regex PythonAssignment();

    [GeneratedRegex(@"0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*|[A-Za-z_]\w*|<<|>>|[-+*|()]")]
    private static partial Regex Token();
}
