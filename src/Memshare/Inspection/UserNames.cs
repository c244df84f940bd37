using System.Globalization;

namespace Memshare.Inspection;

/// <summary>
/// Turns uids into user names from <c>/etc/passwd</c>, read once. Users known only to NSS services (LDAP, SSSD)
/// are shown by number: resolving them would need a native <c>getpwuid_r</c> call.
/// </summary>
internal sealed class UserNames
{
    internal const string PasswdPath = "/etc/passwd";

    private Dictionary<uint, string>? _names;

    /// <summary>The user name for <paramref name="uid"/>, or the uid as text if it has none.</summary>
    internal string NameOf(uint uid)
    {
        _names ??= Load();
        return _names.TryGetValue(uid, out string? name) ? name : uid.ToString(CultureInfo.InvariantCulture);
    }

    private static Dictionary<uint, string> Load()
    {
        var names = new Dictionary<uint, string>();
        try
        {
            foreach (string line in File.ReadLines(PasswdPath))
            {
                // name:password:uid:gid:gecos:home:shell
                string[] fields = line.Split(':');
                if (fields.Length >= 3 && fields[0].Length > 0
                    && uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out uint uid))
                {
                    names.TryAdd(uid, fields[0]);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No passwd file to read: owners are shown by uid.
        }

        return names;
    }
}
