namespace Memshare;

/// <summary>The one portable naming rule, checked before any OS call.</summary>
/// <remarks>
/// A name is 1 to <see cref="MaxLength"/> ASCII letters, digits, '.', '_' or '-', and is neither "." nor "..".
/// The same name reaches the same bytes everywhere: <c>/dev/shm/NAME</c> on Linux (what <c>shm_open("/NAME")</c>
/// opens), <c>shm_open("/NAME")</c> on macOS, and <c>Local\NAME</c> (or <c>Global\NAME</c>) on Windows.
/// </remarks>
public static class RegionName
{
    /// <summary>The longest name accepted on Linux and Windows.</summary>
    public const int MaxLength = 200;

    /// <summary>The longest name accepted on macOS, whose shm names hold at most 31 characters with the leading '/'.</summary>
    public const int MaxLengthMacOS = Interop.LibcOSX.MaxShmNameLength;

    /// <summary>Throws <see cref="ArgumentException"/> naming the rule if <paramref name="name"/> breaks it.</summary>
    public static void Validate(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string? problem = Check(name);
        if (problem is not null)
        {
            throw new ArgumentException(problem, nameof(name));
        }
    }

    /// <summary>Returns whether <paramref name="name"/> is a valid region name on this OS.</summary>
    public static bool IsValid(string? name) => name is not null && Check(name) is null;

    private static string? Check(string name)
    {
        if (name.Length == 0)
        {
            return SR.NameEmpty;
        }

        int max = OperatingSystem.IsMacOS() ? MaxLengthMacOS : MaxLength;
        if (name.Length > max)
        {
            return OperatingSystem.IsMacOS()
                ? SR.Format(SR.NameTooLongMacOS, SR.Shorten(name), name.Length, max)
                : SR.Format(SR.NameTooLong, SR.Shorten(name), name.Length, max);
        }

        if (name is "." or "..")
        {
            return SR.Format(SR.NameDots, name);
        }

        foreach (char c in name)
        {
            if (!IsAllowed(c))
            {
                return SR.Format(SR.NameBadChar, SR.Printable(name), SR.Printable(c.ToString()));
            }
        }

        return null;
    }

    private static bool IsAllowed(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-';
}
