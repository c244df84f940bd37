using System.Globalization;

namespace Memshare.Benchmarks.Harness;

/// <summary>
/// How busy the machine was with other work while the harness ran: CPU time used by every process (/proc/stat)
/// minus this process's and its reaped children's (/proc/self/stat), and the time the hypervisor stole.
/// Spinning benchmarks on two vCPUs are only meaningful when both are ours, so the report states this.
/// </summary>
internal readonly record struct CpuAccounting(long BusyTicks, long StealTicks, long OwnTicks, long WallTicks)
{
    /// <summary>A snapshot, or null where /proc is not readable.</summary>
    internal static CpuAccounting? Sample()
    {
        try
        {
            // "cpu  user nice system idle iowait irq softirq steal ..." in USER_HZ ticks, summed over CPUs.
            string[] cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            long Field(int i) => long.Parse(cpu[i], CultureInfo.InvariantCulture);
            long busy = Field(1) + Field(2) + Field(3) + Field(6) + Field(7);
            long total = busy + Field(4) + Field(5) + Field(8);

            // Fields 14-17 of /proc/self/stat (after the parenthesised name): utime stime cutime cstime.
            string self = File.ReadAllText("/proc/self/stat");
            string[] rest = self[(self.LastIndexOf(')') + 2)..].Split(' ');
            long own = 0;
            for (int i = 11; i <= 14; i++)
            {
                own += long.Parse(rest[i], CultureInfo.InvariantCulture);
            }

            return new CpuAccounting(busy, Field(8), own, total);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// Between two snapshots: the share of all CPUs' time that other processes used, and that the hypervisor stole
    /// (both 0 to 1).
    /// </summary>
    internal static (double Foreign, double Steal) Between(CpuAccounting? before, CpuAccounting? after)
    {
        if (before is not { } a || after is not { } b || b.WallTicks <= a.WallTicks)
        {
            return (double.NaN, double.NaN);
        }

        double wall = b.WallTicks - a.WallTicks;
        double foreign = Math.Max(0, (b.BusyTicks - a.BusyTicks) - (b.OwnTicks - a.OwnTicks)) / wall;
        return (foreign, (b.StealTicks - a.StealTicks) / wall);
    }
}
