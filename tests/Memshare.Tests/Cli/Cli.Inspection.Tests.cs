using System.Text.Json;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Cli;

/// <summary>`memshare ls` and `memshare info`, text and JSON, on regions of every kind and lifetime.</summary>
public sealed class CliInspectionTests : IDisposable
{
    private readonly ShmScope _scope = new();

    [Fact]
    public void Ls_ShowsKindLifetimeModeAndHolders_InTextAndJson()
    {
        string raw = _scope.Name("raw");
        string text = _scope.Name("string");
        string value = _scope.Name("value");
        string scoped = _scope.Name("scoped");
        try
        {
            CliRun.Run("create", raw, "--size", "100").AssertExit(0);
            CliRun.Run("set", text, "hi").AssertExit(0);
            using var v = SharedValue<long>.CreateNew(value, 42, new SharedMemoryOptions { Lifetime = SharedMemoryLifetime.Persistent });
            using var s = SharedMemory.CreateNew(scoped, 4096, options: new SharedMemoryOptions
            {
                Permissions = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead,
            });

            CliResult table = CliRun.Run("ls").AssertExit(0);
            Assert.Equal(["NAME", "SIZE", "KIND", "OWNER", "MODE", "LIFETIME", "HOLDERS", "STATE"], Columns(table.Stdout[0]));
            string owner = Environment.UserName;
            Assert.Equal([raw, "100", "raw", owner, "0600", "persistent", "0", "-"], Row(table, raw));
            string stringSize = Memshare.Layout.StringLayout.TotalSize(256).ToString(System.Globalization.CultureInfo.InvariantCulture);
            string valueSize = Memshare.Layout.ValueLayout.TotalSize(sizeof(long)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal([text, stringSize, "string", owner, "0600", "persistent", "0", "-"], Row(table, text));
            Assert.Equal([value, valueSize, "value", owner, "0600", "persistent", "1", "-"], Row(table, value));
            Assert.Equal([scoped, "4096", "raw", owner, "0640", "scoped", "1", "-"], Row(table, scoped));

            JsonElement list = CliRun.Run("ls", "--json").AssertExit(0).Json();
            JsonElement r = CliRun.Find(list, raw);
            Assert.Equal("raw", r.GetProperty("kind").GetString());
            Assert.True(r.GetProperty("persistent").GetBoolean());
            Assert.Equal("persistent", r.GetProperty("lifetime").GetString());
            Assert.Equal(JsonValueKind.Null, r.GetProperty("header").ValueKind);
            Assert.Equal(100, r.GetProperty("size").GetInt64());
            JsonElement sc = CliRun.Find(list, scoped);
            Assert.False(sc.GetProperty("persistent").GetBoolean());
            Assert.Equal("0640", sc.GetProperty("mode").GetString());
            Assert.Equal(1, sc.GetProperty("holders").GetInt32());
            Assert.Equal("string", CliRun.Find(list, text).GetProperty("kind").GetString());
            Assert.Equal("value", CliRun.Find(list, value).GetProperty("kind").GetString());
        }
        finally
        {
            CliRun.Remove(raw, text, value);
        }
    }

    [Fact]
    public void Info_OfString_DecodesCapacityLengthAndVersion()
    {
        string name = _scope.Name("info");
        try
        {
            CliRun.Run("set", name, "hello", "--capacity", "100").AssertExit(0);
            CliRun.Run("set", name, "hello!").AssertExit(0);

            List<string> lines = CliRun.Run("info", name).AssertExit(0).Stdout;
            Assert.Contains(lines, l => Columns(l) is ["kind:", "string"]);
            Assert.Contains(lines, l => Columns(l) is ["capacity:", "100", "bytes"]);
            Assert.Contains(lines, l => Columns(l) is ["length:", "6", "bytes"]);
            Assert.Contains(lines, l => Columns(l) is ["version:", "2", "writes"]);
            Assert.Contains(lines, l => Columns(l) is ["mode:", "0600"]);
            Assert.Contains(lines, l => l.StartsWith("lifetime:", StringComparison.Ordinal) && l.Contains("persistent", StringComparison.Ordinal));

            JsonElement json = CliRun.Run("info", name, "--json").AssertExit(0).Json();
            Assert.Equal(name, json.GetProperty("name").GetString());
            Assert.Equal("string", json.GetProperty("kind").GetString());
            JsonElement header = json.GetProperty("header");
            Assert.Equal(100, header.GetProperty("capacity").GetInt32());
            Assert.Equal(6, header.GetProperty("length").GetInt32());
            Assert.Equal(2, header.GetProperty("version").GetInt64());
            Assert.Equal(1, header.GetProperty("layoutVersion").GetInt32());
        }
        finally
        {
            CliRun.Remove(name);
        }
    }

    [Fact]
    public void Info_OfValue_DecodesTypePayloadFingerprintAndVersion()
    {
        string name = _scope.Name("val");
        using var value = SharedValue<long>.CreateNew(name, 1);
        value.Write(2);
        value.Write(3);

        JsonElement json = CliRun.Run("info", name, "--json").AssertExit(0).Json();

        Assert.Equal("value", json.GetProperty("kind").GetString());
        Assert.Equal("scoped", json.GetProperty("lifetime").GetString());
        Assert.Equal(1, json.GetProperty("holders").GetInt32());
        JsonElement header = json.GetProperty("header");
        Assert.Equal("Int64", header.GetProperty("typeName").GetString());
        Assert.Equal(8, header.GetProperty("payloadSize").GetInt64());
        Assert.Equal($"0x{TypeFingerprint.Of<long>():X16}", header.GetProperty("fingerprint").GetString());
        Assert.Equal(2, header.GetProperty("version").GetInt64());
    }

    [Fact]
    public void Ls_ShowsLockHolderAndEventState()
    {
        string free = _scope.Name("free");
        string held = _scope.Name("held");
        string set = _scope.Name("set");
        string unset = _scope.Name("unset");
        try
        {
            var persistent = new SharedMemoryOptions { Lifetime = SharedMemoryLifetime.Persistent };
            using var freeLock = SharedLock.CreateOrOpen(free, persistent);
            using var heldLock = SharedLock.CreateOrOpen(held, persistent);
            using SharedLockGuard guard = heldLock.Acquire();
            CliRun.Run("signal", set, "--manual").AssertExit(0);
            CliRun.Run("wait", unset, "--timeout", "0").AssertExit(6);

            CliResult table = CliRun.Run("ls").AssertExit(0);

            string owner = Environment.UserName;
            string pid = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal([free, "128", "lock", owner, "0600", "persistent", "1", "free"], Row(table, free));
            Assert.Equal([held, "128", "lock", owner, "0600", "persistent", "1", "held", "by", "pid", pid], Row(table, held));
            Assert.Equal([set, "128", "event", owner, "0600", "persistent", "0", "set"], Row(table, set));
            Assert.Equal([unset, "128", "event", owner, "0600", "persistent", "0", "not", "set"], Row(table, unset));

            JsonElement list = CliRun.Run("ls", "--json").AssertExit(0).Json();
            JsonElement heldJson = CliRun.Find(list, held).GetProperty("header").GetProperty("lock");
            Assert.Equal(Environment.ProcessId, heldJson.GetProperty("ownerPid").GetInt32());
            Assert.True(heldJson.GetProperty("ownerAlive").GetBoolean());
            Assert.Equal("manual", CliRun.Find(list, set).GetProperty("header").GetProperty("event").GetProperty("mode").GetString());
            Assert.True(CliRun.Find(list, set).GetProperty("header").GetProperty("event").GetProperty("signaled").GetBoolean());
            Assert.False(CliRun.Find(list, unset).GetProperty("header").GetProperty("event").GetProperty("signaled").GetBoolean());
        }
        finally
        {
            CliRun.Remove(free, held, set, unset);
        }
    }

    [Fact]
    public void Info_OfMissingRegion_ExitsThree()
    {
        string name = _scope.Name("none");

        CliRun.Run("info", name).AssertError(3, $"'{name}'");
    }

    private static string[] Columns(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static string[] Row(CliResult table, string name) =>
        table.Stdout.Select(Columns).SingleOrDefault(c => c.Length > 0 && c[0] == name)
        ?? throw new Xunit.Sdk.XunitException($"no row for {name} in:\n{string.Join('\n', table.Stdout)}");

    public void Dispose() => _scope.Dispose();
}
