using System.Globalization;

namespace Memshare.TestChild;

/// <summary>
/// A process that holds regions and acts on them when the test says so, one command per stdin line and one
/// reply line per command. Failures are replies ("error TYPE MESSAGE"), not crashes, so a test can assert
/// on them; a crash (SIGBUS, SIGSEGV) shows as a missing reply and a non-zero exit code.
/// </summary>
/// <remarks>
/// Commands (OPTS: persistent, ro, perm=OCTAL, allow-other, offset=N, length=N, init=SEED):
/// <code>
/// create-new NAME SIZE [OPTS]      created
/// create-or-open NAME SIZE [OPTS]  created | opened
/// open NAME [OPTS]                 opened
/// try-open NAME [OPTS]             opened | absent
/// open-file PATH SIZE [ro]         opened
/// fill SEED | check SEED           ok | mismatch INDEX    (pattern over the current view)
/// zero                             ok | nonzero INDEX
/// read-hex OFFSET LENGTH           hex BYTES
/// write-hex OFFSET BYTES           ok
/// poke OFFSET                      poked  (writes through the raw pointer, even into a read-only view)
/// string-create-new NAME CAP [OPTS] / string-open NAME [ro] / string-get / string-set TEXT
/// value-create-new NAME K [OPTS] / value-open NAME [ro] / value-read / value-write K / value-ref-read
/// umask OCTAL                      old OCTAL
/// close                            closed  (the current handles)
/// exit                             (disposes everything and exits 0)
/// </code>
/// </remarks>
internal static class Repl
{
    private static readonly List<IDisposable> s_all = [];
    private static SharedMemory? s_memory;
    private static SharedString? s_string;
    private static SharedValue<Octet>? s_value;

    public static int Run()
    {
        Console.WriteLine("ready");
        string? line;
        while ((line = Console.ReadLine()) is not null)
        {
            if (line == "exit")
            {
                break;
            }

            string reply;
            try
            {
                reply = Execute(line.Split(' ', 3));
            }
            catch (Exception e)
            {
                reply = Describe(e);
            }

            Console.WriteLine(reply);
        }

        foreach (IDisposable d in s_all)
        {
            d.Dispose();
        }

        return 0;
    }

    private static string Execute(string[] p)
    {
        string[] rest = p.Length > 2 ? p[2].Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];
        switch (p[0])
        {
            case "create-new":
                Keep(SharedMemory.CreateNew(p[1], Long(rest[0]), Init(rest.AsSpan(1)), Options(rest.AsSpan(1))));
                return "created";
            case "create-or-open":
                Keep(SharedMemory.CreateOrOpen(p[1], Long(rest[0]), Window(rest.AsSpan(1)), out bool created, Init(rest.AsSpan(1)), Options(rest.AsSpan(1))));
                return created ? "created" : "opened";
            case "open":
                Keep(SharedMemory.OpenExisting(p[1], Window(rest), Options(rest)));
                return "opened";
            case "try-open":
                if (!SharedMemory.TryOpenExisting(p[1], out SharedMemory? found, Options(rest)))
                {
                    return "absent";
                }

                Keep(found);
                return "opened";
            case "open-file":
                Keep(SharedMemory.OpenFile(p[1], Long(rest[0]), rest.Contains("ro") ? SharedMemoryAccess.Read : SharedMemoryAccess.ReadWrite));
                return "opened";
            case "fill":
                Patterns.Fill(Memory.Span, Int(p[1]), Memory.Offset);
                return "ok";
            case "check":
                long at = Patterns.FindMismatch(Memory.ReadOnlySpan, Int(p[1]), Memory.Offset);
                return at < 0 ? "ok" : "mismatch " + at.ToString(CultureInfo.InvariantCulture);
            case "zero":
                int nonzero = Memory.ReadOnlySpan.IndexOfAnyExcept((byte)0);
                return nonzero < 0 ? "ok" : "nonzero " + nonzero.ToString(CultureInfo.InvariantCulture);
            case "read-hex":
                return "hex " + Convert.ToHexString(Memory.GetReadOnlySpan(Long(p[1]), Int(rest[0])));
            case "write-hex":
                byte[] bytes = Convert.FromHexString(rest[0]);
                bytes.CopyTo(Memory.GetSpan(Long(p[1]), bytes.Length));
                return "ok";
            case "poke":
                if (!OperatingSystem.IsWindows())
                {
                    Native.DisableCoreDumps(); // a fault is the expected outcome
                }
                unsafe
                {
                    Memory.DangerousGetPointer()[Long(p[1])] ^= 0xFF;
                }

                return "poked";
            case "string-create-new":
                Keep(SharedString.CreateNew(p[1], Int(rest[0]), Options(rest.AsSpan(1))));
                return "created";
            case "string-open":
                Keep(SharedString.OpenExisting(p[1], Options(rest)));
                return "opened capacity " + s_string!.Capacity.ToString(CultureInfo.InvariantCulture);
            case "string-get":
                return "value " + Patterns.OneLine(String.Get());
            case "string-set":
                String.Set(p.Length > 1 ? Patterns.FromOneLine(string.Join(' ', p[1..])) : "");
                return "ok";
            case "value-create-new":
                Keep(SharedValue<Octet>.CreateNew(p[1], Octet.Of(Long(rest[0])), Options(rest.AsSpan(1))));
                return "created";
            case "value-open":
                Keep(SharedValue<Octet>.OpenExisting(p[1], Options(rest)));
                return "opened";
            case "value-read":
                return "value " + Value.Read().ToString();
            case "value-ref-read":
                return "value " + Value.ReadOnlyValue.ToString();
            case "value-write":
                Value.Write(Octet.Of(Long(p[1])));
                return "ok";
            case "umask":
                return "old " + Convert.ToString(Native.Umask(Convert.ToInt32(p[1], 8)), 8);
            case "close":
                foreach (IDisposable d in s_all)
                {
                    d.Dispose();
                }

                s_all.Clear();
                (s_memory, s_string, s_value) = (null, null, null);
                return "closed";
            default:
                return "unknown-command " + p[0];
        }
    }

    private static SharedMemory Memory => s_memory ?? throw new InvalidOperationException("no region is open");

    private static SharedString String => s_string ?? throw new InvalidOperationException("no string slot is open");

    private static SharedValue<Octet> Value => s_value ?? throw new InvalidOperationException("no value is open");

    private static void Keep(IDisposable d)
    {
        s_all.Add(d);
        switch (d)
        {
            case SharedMemory m:
                s_memory = m;
                break;
            case SharedString s:
                s_string = s;
                break;
            case SharedValue<Octet> v:
                s_value = v;
                break;
        }
    }

    internal static SharedMemoryOptions Options(ReadOnlySpan<string> opts)
    {
        var o = new SharedMemoryOptions();
        foreach (string s in opts)
        {
            string[] kv = s.Split('=', 2);
            o = kv[0] switch
            {
                "persistent" => o with { Lifetime = SharedMemoryLifetime.Persistent },
                "ro" => o with { Access = SharedMemoryAccess.Read },
                "allow-other" => o with { AllowOtherOwner = true },
                "perm" => o with { Permissions = (UnixFileMode)Convert.ToInt32(kv[1], 8) },
                "offset" or "length" or "init" => o, // see Window and Init
                _ => throw new ArgumentException($"unknown option '{s}'"),
            };
        }

        return o;
    }

    /// <summary>The view window that offset=N and length=N ask for; the whole region if neither.</summary>
    private static SharedMemoryWindow Window(ReadOnlySpan<string> opts)
    {
        var window = new SharedMemoryWindow();
        foreach (string s in opts)
        {
            string[] kv = s.Split('=', 2);
            window = kv[0] switch
            {
                "offset" => window with { Offset = Long(kv[1]) },
                "length" => window with { Length = Long(kv[1]) },
                _ => window,
            };
        }

        return window;
    }

    /// <summary>The initializer that init=SEED asks for, which fills the region with that seed's pattern; null if none.</summary>
    private static RegionInitializer? Init(ReadOnlySpan<string> opts)
    {
        foreach (string s in opts)
        {
            if (s.StartsWith("init=", StringComparison.Ordinal))
            {
                int seed = Int(s[5..]);
                return memory => Patterns.Fill(memory, seed);
            }
        }

        return null;
    }

    private static long Long(string s) => long.Parse(s, CultureInfo.InvariantCulture);

    private static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);

    internal static string Describe(Exception e) => $"error {e.GetType().Name} {Patterns.OneLine(e.Message)}";
}
