using System.Globalization;

namespace Memshare.Platform;

/// <summary>
/// The kernel object names of a Windows region and its helpers. Helper names carry a '#', which region names
/// may not contain, so no region can ever collide with another region's helper (Windows keeps mappings,
/// mutexes and events in one namespace, and a name taken by an object of another type fails to open).
/// </summary>
/// <remarks>
/// The longest name, <c>Global\</c> + 200 characters + <c>#wait-NNNN-XXXXXXXX</c>, stays below the documented
/// limit of MAX_PATH (260) characters for named objects.
/// </remarks>
internal static class WindowsObjectNames
{
    internal static string Prefix(bool globalNamespace) => globalNamespace ? @"Global\" : @"Local\";

    /// <summary>The file mapping: <c>Local\NAME</c>.</summary>
    internal static string Mapping(string name, bool globalNamespace) => Prefix(globalNamespace) + name;

    /// <summary>The mutex a creator holds until its initializer has run: <c>Local\NAME#init</c>.</summary>
    internal static string InitMutex(string name, bool globalNamespace) => Prefix(globalNamespace) + name + "#init";

    /// <summary>
    /// The start of a wait event's name, <c>Local\NAME#wait-OFFSET-</c>, to which the waited-for value of the word
    /// at OFFSET is appended in hex (see <see cref="Sync.WaitChannel"/>).
    /// </summary>
    internal static string WaitEventPrefix(string name, bool globalNamespace, int wordOffset) =>
        Prefix(globalNamespace) + name + "#wait-" + wordOffset.ToString(CultureInfo.InvariantCulture) + "-";
}
