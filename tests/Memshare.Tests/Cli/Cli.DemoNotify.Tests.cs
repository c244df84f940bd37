using System.Text.RegularExpressions;
using Memshare.Tests.Infrastructure;

namespace Memshare.Tests.Cli;

/// <summary>
/// `memshare demo notify`: the CEF scenario. Three renderer processes find the main window by name and notify the
/// main process three times each through a shared event; everyone exits 0 and nothing is left in /dev/shm.
/// </summary>
public sealed partial class CliDemoNotifyTests : IDisposable
{
    private readonly ShmScope _scope = new();

    [Fact]
    public void DemoNotify_DeliversNineNotificationsFromThreeRenderers_AndNoRegionRemains()
    {
        using Child demo = _scope.Track(Child.Cli("demo", "notify"));
        List<string> lines = demo.RemainingLines();
        int exit = demo.WaitForExit();
        string name = $"cef-demo-{demo.Pid}";
        string[] regions = [name, name + ".mailbox", name + ".notify"];
        string[] left = regions.Where(r => File.Exists(CliRun.PathOf(r))).ToArray();
        foreach (string region in left)
        {
            File.Delete(CliRun.PathOf(region)); // outside the scope's prefix, so clean up here
        }

        string output = string.Join('\n', lines);
        Assert.True(exit == 0, $"demo notify exited with {exit}; stdout:\n{output}\nstderr: {demo.Stderr}");
        Assert.Empty(demo.Stderr);
        Assert.Empty(left);

        // Each renderer (a separate process, not the main one) found the window and sent notifications 1, 2, 3.
        var renderers = new Dictionary<int, int>();
        foreach (string line in lines)
        {
            if (RendererLine().Match(line) is { Success: true } m)
            {
                Assert.NotEqual(demo.Pid, int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
                renderers.Add(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        Assert.Equal([0, 1, 2], renderers.Keys.Order());
        var notifications = lines.Select(l => NotificationLine().Match(l)).Where(m => m.Success).ToList();
        Assert.Equal(9, notifications.Count);
        foreach ((int index, int pid) in renderers)
        {
            string[] from = notifications.Where(m => m.Groups[2].Value == index.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .Select(m => $"{m.Groups[1].Value} pid {m.Groups[3].Value}").ToArray();
            Assert.Equal([$"1 pid {pid}", $"2 pid {pid}", $"3 pid {pid}"], from);
        }

        Assert.Contains("main: received 9 of 9 notifications; renderers all exited 0", lines);
        Assert.Equal($"Regions '{name}', '{name}.mailbox', '{name}.notify' removed with their last holders.", lines[^1]);
    }

    [GeneratedRegex(@"^renderer (\d+) \(pid (\d+)\): found window 0x[0-9A-F]+ of main pid \d+$")]
    private static partial Regex RendererLine();

    [GeneratedRegex(@"^main: notification (\d+) from renderer (\d+) \(pid (\d+)\), which saw window 0x[0-9A-F]+$")]
    private static partial Regex NotificationLine();

    public void Dispose() => _scope.Dispose();
}
