using System.Text;

namespace Memshare.Platform;

/// <summary>
/// The lock file's name for a region name. shm names are case-sensitive, but the lock directory usually sits
/// on a case-insensitive file system (APFS's default), where <c>Foo.lock</c> and <c>foo.lock</c> are one file.
/// So the name is encoded without upper-case letters: an upper-case letter X becomes <c>_x</c> and '_' becomes
/// <c>__</c>; everything else a region name may hold (lower-case letters, digits, '.', '-') stays. The code is
/// injective (a decoder reads '_' + letter back unambiguously), and its output equals its own case-folding, so
/// distinct region names never share a lock file. A 30-character name gives at most 60 + 5 characters.
/// </summary>
internal static class LockFileName
{
    internal const string Suffix = ".lock";

    internal static string For(string regionName)
    {
        var sb = new StringBuilder(regionName.Length + 8);
        foreach (char c in regionName)
        {
            if (char.IsAsciiLetterUpper(c))
            {
                sb.Append('_').Append(char.ToLowerInvariant(c));
            }
            else if (c == '_')
            {
                sb.Append("__");
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.Append(Suffix).ToString();
    }
}
