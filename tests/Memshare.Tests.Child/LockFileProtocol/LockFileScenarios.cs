using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.Versioning;
using Memshare.Platform;

namespace Memshare.TestChild.LockFileProtocol;

/// <summary>
/// The macOS lock-file protocol run on Linux in a separate process.
/// <c>lockfile DIR PREFIX INIT_DEADLINE_MS OP NAME SIZE [OPTION...]</c>, OP one of create-new, open-existing,
/// create-or-open, remove; options: <c>init-ms=N</c> (the initializer fills the pattern in two halves with a
/// sleep between), <c>init-throw</c>, <c>persistent</c>, <c>hold</c> (keep the region until stdin closes),
/// <c>umask=OCTAL</c>, <c>allow-other</c>. Prints <c>created SIZE ok</c> / <c>opened SIZE ok</c> (ok: the whole
/// region holds the creator's pattern), <c>absent</c>, <c>removed True|False</c> or <c>error TYPE MESSAGE</c>.
/// <c>lockfile-race DIR PREFIX NAME ROUNDS WITNESS WORKERS</c>: create-or-open, check, close in a loop, counting holders
/// in the witness region to detect two live regions under one name; prints <c>race created=C opened=O bad=B split=S</c>.
/// </summary>
[SupportedOSPlatform("linux")]
internal static unsafe class LockFileScenarios
{
    internal const int PatternSeed = 77;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "umask")]
    private static extern int SetUmask(int mask);

    public static bool TryRun(string[] args, out int exitCode)
    {
        exitCode = 0;
        switch (args[0])
        {
            case "lockfile":
                exitCode = RunOne(args[1..]);
                return true;
            case "lockfile-race":
                exitCode = Race(args[1..]);
                return true;
            default:
                return false;
        }
    }

    internal static LockFileSettings Settings(string directory, string prefix, int initDeadlineMs) =>
        new(directory, prefix, TimeSpan.FromMilliseconds(initDeadlineMs));

    private static int RunOne(string[] a)
    {
        LockFileSettings settings = Settings(a[0], a[1], int.Parse(a[2], CultureInfo.InvariantCulture));
        string op = a[3];
        string name = a[4];
        long size = long.Parse(a[5], CultureInfo.InvariantCulture);
        string[] opts = a[6..];
        int initMs = -1;
        bool initThrow = false;
        var options = new SharedMemoryOptions
        {
            Lifetime = opts.Contains("persistent") ? SharedMemoryLifetime.Persistent : SharedMemoryLifetime.Scoped,
            AllowOtherOwner = opts.Contains("allow-other"),
            Permissions = opts.Contains("allow-other") ? (UnixFileMode)Convert.ToInt32("666", 8) : (UnixFileMode)Convert.ToInt32("600", 8),
        };
        foreach (string o in opts)
        {
            if (o.StartsWith("init-ms=", StringComparison.Ordinal))
            {
                initMs = int.Parse(o[8..], CultureInfo.InvariantCulture);
            }
            else if (o == "init-throw")
            {
                initThrow = true;
            }
            else if (o.StartsWith("umask=", StringComparison.Ordinal))
            {
                _ = SetUmask(Convert.ToInt32(o[6..], 8));
            }
        }

        try
        {
            if (op == "remove")
            {
                Console.WriteLine("removed " + LockFileRegion.Remove(name, LinuxShmApi.Instance, settings));
                return 0;
            }

            RegionMode mode = op switch
            {
                "create-new" => RegionMode.CreateNew,
                "open-existing" => RegionMode.OpenExisting,
                _ => RegionMode.CreateOrOpen,
            };
            using LockFileRegion? region = LockFileRegion.Open(
                new RegionRequest(name, mode, size, options) { Initializer = memory => SlowFill(memory, initMs, initThrow) }, LinuxShmApi.Instance, settings);
            if (region is null)
            {
                Console.WriteLine("absent");
                return 0;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(region.Created ? "created" : "opened")} {region.Length} {(Check(region) ? "ok" : "bad")}"));
            if (opts.Contains("hold"))
            {
                Console.WriteLine("holding");
                _ = Console.In.ReadToEnd();
            }

            return 0;
        }
        catch (Exception e)
        {
            Console.WriteLine(Repl.Describe(e));
            return 0;
        }
    }

    /// <summary>Fills the pattern; with a delay, the first half, a sleep, then the second half.</summary>
    internal static void SlowFill(Span<byte> memory, int delayMs, bool fail)
    {
        int half = memory.Length / 2;
        Patterns.Fill(memory[..half], PatternSeed);
        if (delayMs > 0)
        {
            Thread.Sleep(delayMs);
        }

        if (fail)
        {
            throw new InvalidOperationException("initializer failed on purpose");
        }

        Patterns.Fill(memory[half..], PatternSeed, half);
    }

    internal static bool Check(LockFileRegion region) =>
        Patterns.FindMismatch(new ReadOnlySpan<byte>(region.Base, (int)region.Length), PatternSeed) < 0;

    /// <summary>
    /// The witness word (offset 0 of a plain Memshare region): holders in the high 16 bits, the held region's
    /// id (its first 8 bytes, low 48 bits) below. Registering a different id while holders remain means two
    /// regions were live under one name at once.
    /// </summary>
    private static int Race(string[] a)
    {
        LockFileSettings settings = Settings(a[0], a[1], 30_000);
        string name = a[2];
        int rounds = int.Parse(a[3], CultureInfo.InvariantCulture);
        using SharedMemory witnessRegion = SharedMemory.OpenExisting(a[4]);
        ref long witness = ref witnessRegion.AsRef<long>(0);
        RegionInitializer initializer = memory =>
        {
            Patterns.Fill(memory, PatternSeed);
            if (Random.Shared.Next(8) == 0)
            {
                Thread.Sleep(1); // widen the window in which an opener could catch a half-built region
            }

            BinaryPrimitives.WriteInt64LittleEndian(memory, Random.Shared.NextInt64(1, 1L << 48));
        };
        int created = 0, opened = 0, bad = 0, split = 0;
        var request = new RegionRequest(name, RegionMode.CreateOrOpen, 4096, SharedMemoryOptions.Default) { Initializer = initializer };

        // Start together: every worker announces itself at offset 8 and waits (bounded) for the others.
        int workers = int.Parse(a[5], CultureInfo.InvariantCulture);
        ref int arrived = ref witnessRegion.AsRef<int>(8);
        _ = Interlocked.Increment(ref arrived);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (Volatile.Read(ref arrived) < workers && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(1);
        }

        for (int i = 0; i < rounds; i++)
        {
            using LockFileRegion region = LockFileRegion.Open(request, LinuxShmApi.Instance, settings)!;
            var span = new ReadOnlySpan<byte>(region.Base, (int)region.Length);
            long id = BinaryPrimitives.ReadInt64LittleEndian(span);
            if (id <= 0 || Patterns.FindMismatch(span[8..], PatternSeed, 8) >= 0)
            {
                bad++;
            }

            _ = region.Created ? created++ : opened++;
            if (!Register(ref witness, id))
            {
                split++;
            }

            if ((i & 7) == 0)
            {
                Thread.Yield();
            }

            Deregister(ref witness);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"race created={created} opened={opened} bad={bad} split={split}"));
        return 0;
    }

    private static bool Register(ref long witness, long id)
    {
        while (true)
        {
            long w = Volatile.Read(ref witness);
            long holders = w >>> 48;
            long current = w & ((1L << 48) - 1);
            bool agree = holders == 0 || current == id;
            long next = agree ? ((holders + 1) << 48) | id : ((holders + 1) << 48) | current;
            if (Interlocked.CompareExchange(ref witness, next, w) == w)
            {
                return agree;
            }
        }
    }

    private static void Deregister(ref long witness) => Interlocked.Add(ref witness, -(1L << 48));
}
