namespace Memshare.Tests.Golden;

/// <summary>
/// One checked-in region image, <c>tests/golden/NAME.bin</c>, and its manifest <c>NAME.txt</c>: the lines every decoder
/// (.NET, interop/c, interop/python) must print for it, in order, after dropping '#' comments. The first line is
/// <c>kind KIND</c>; a value manifest's <c>field OFFSET KIND VALUE</c> lines also tell the peers the layout of T.
/// </summary>
internal sealed record GoldenImage(string Name, byte[] Bytes, IReadOnlyList<string> Manifest)
{
    /// <summary>The directory that holds the images: tests/golden in the repository.</summary>
    public static string Directory => Path.Combine(Peers.NativeBuild.RepoRoot, "tests", "golden");

    /// <summary>The images, by name (also the file names without extension).</summary>
    public static readonly string[] Names = ["value", "string", "lock-dead-owner", "channel-wrapped", "channel-killed-writer"];

    /// <summary>The manifest without comments and blank lines: what a decoder prints.</summary>
    public IReadOnlyList<string> Expected => Manifest.Where(l => l.Length > 0 && l[0] != '#').ToList();

    /// <summary>The KIND of the first line: value, string, lock or channel.</summary>
    public string Kind => Expected[0]["kind ".Length..];

    /// <summary>A value image's leaves, <c>OFFSET:KIND</c>, from its <c>field</c> lines (what the peers are told about T).</summary>
    public string[] Leaves => Expected.Where(l => l.StartsWith("field ", StringComparison.Ordinal))
        .Select(l => l.Split(' ')).Select(p => $"{p[1]}:{p[2]}").ToArray();

    public static GoldenImage Load(string name) => new(name,
        File.ReadAllBytes(Path.Combine(Directory, name + ".bin")),
        File.ReadAllLines(Path.Combine(Directory, name + ".txt")));

    /// <summary>Writes NAME.bin and NAME.txt into <paramref name="directory"/>.</summary>
    public void Save(string directory)
    {
        File.WriteAllBytes(Path.Combine(directory, Name + ".bin"), Bytes);
        File.WriteAllText(Path.Combine(directory, Name + ".txt"), string.Join('\n', Manifest) + "\n");
    }

    /// <summary>
    /// Copies the image into /dev/shm as <paramref name="regionName"/> (mode 0600, no sticky bit: a persistent region)
    /// and returns its path; the caller deletes it in finally.
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public string Install(string regionName)
    {
        string path = "/dev/shm/" + regionName;
        File.WriteAllBytes(path, Bytes);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }
}
