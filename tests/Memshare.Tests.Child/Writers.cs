using System.Diagnostics;
using System.Globalization;
using System.Reflection;

namespace Memshare.TestChild;

/// <summary>
/// Tight write loops for the torn-read tests, and a process that dies holding a writer lock. Every loop is
/// bounded by a deadline (the box has two cores) and stops early on "stop" or end of stdin.
/// </summary>
internal static class Writers
{
    private static volatile bool s_stop;

    /// <summary>
    /// Arguments: NAME SECONDS [STRIDE PHASE]. Sets <see cref="Patterns.StringFor"/>(k) for k = PHASE (mod STRIDE),
    /// continuing after whatever version the slot holds. Prints "ready K" after the first set, "done COUNT" at the end.
    /// </summary>
    public static int StringWriter(string[] args)
    {
        (string name, TimeSpan limit, int stride, int phase) = Parse(args);
        using SharedString slot = SharedString.OpenExisting(name);
        if (!Patterns.TryParseString(slot.Get(), out long current))
        {
            Console.WriteLine("torn-at-start");
            return 3;
        }

        long k = First(current, stride, phase);
        return Loop(limit, k, stride, k => slot.Set(Patterns.StringFor(k)));
    }

    /// <summary>As <see cref="StringWriter"/>, writing <see cref="Octet.Of"/>(k) to a <c>SharedValue&lt;Octet&gt;</c>.</summary>
    public static int ValueWriter(string[] args)
    {
        (string name, TimeSpan limit, int stride, int phase) = Parse(args);
        using SharedValue<Octet> value = SharedValue<Octet>.OpenExisting(name);
        Octet now = value.Read();
        if (!now.IsConsistent)
        {
            Console.WriteLine("torn-at-start");
            return 3;
        }

        long k = First(now.A, stride, phase);
        return Loop(limit, k, stride, k => value.Write(Octet.Of(k)));
    }

    /// <summary>
    /// Arguments: NAME. Takes the writer lock of a string or value region the way a writer does (its owner token in
    /// the lock word at offset 72), prints "locked", and waits to be killed while holding it.
    /// </summary>
    public static int HoldWriterLock(string[] args)
    {
        // The token is the library's own identity of this process; it is internal, so read it by reflection.
        Type ownerToken = typeof(SharedMemory).Assembly.GetType("Memshare.Sync.OwnerToken", throwOnError: true)!;
        ulong token = (ulong)ownerToken.GetField("Current", BindingFlags.Static | BindingFlags.NonPublic)!.GetValue(null)!;
        using SharedMemory raw = SharedMemory.OpenExisting(args[0]);
        ulong previous = Interlocked.CompareExchange(ref raw.AsRef<ulong>(72), token, 0);
        Console.WriteLine(previous == 0 ? "locked" : "busy " + previous.ToString(CultureInfo.InvariantCulture));
        Console.ReadLine();
        return 0;
    }

    private static int Loop(TimeSpan limit, long k, int stride, Action<long> write)
    {
        var stdin = new Thread(WatchStdin) { IsBackground = true };
        stdin.Start();
        long start = Stopwatch.GetTimestamp();
        long count = 0;
        for (; ; k += stride)
        {
            write(k);
            count++;
            if (count == 1)
            {
                Console.WriteLine("ready " + k.ToString(CultureInfo.InvariantCulture));
            }

            if ((count & 255) == 0 && (s_stop || Stopwatch.GetElapsedTime(start) > limit))
            {
                break;
            }
        }

        Console.WriteLine("done " + count.ToString(CultureInfo.InvariantCulture));
        return 0;
    }

    private static void WatchStdin()
    {
        string? line;
        while ((line = Console.ReadLine()) is not null && line != "stop")
        {
        }

        s_stop = true;
    }

    /// <summary>The first k after <paramref name="current"/> with k % stride == phase.</summary>
    private static long First(long current, int stride, int phase)
    {
        long k = current + 1;
        while (k % stride != phase)
        {
            k++;
        }

        return k;
    }

    private static (string Name, TimeSpan Limit, int Stride, int Phase) Parse(string[] args) =>
        (args[0],
         TimeSpan.FromSeconds(double.Parse(args[1], CultureInfo.InvariantCulture)),
         args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1,
         args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 0);
}
