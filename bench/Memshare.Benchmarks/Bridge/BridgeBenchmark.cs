using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Memshare.Nats;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Memshare.Benchmarks.Bridge;

/// <summary>
/// <c>bridge [--nats URL] [--count N] [--latency N]</c>: a channel bridged through a real nats-server (started
/// here on a free 127.0.0.1 port with a temporary store, unless --nats names one) beside its two floors, for 64 B
/// and 1 KiB messages, all in one run:
/// <list type="bullet">
/// <item><b>channel</b>: a local channel alone, writer thread → reader thread;</item>
/// <item><b>nats</b>: the NATS client publishing to a JetStream subject directly (message ids, the same 512
/// publishes in flight as the bridge) while a durable consumer consumes and acknowledges: what any bridge can reach;</item>
/// <item><b>nats+</b>: the same, asking of the client what the bridge asks (each publish expects its predecessor's id,
/// the consumer reads each message's metadata for its stream sequence): the floor of the bridge's allocation;</item>
/// <item><b>bridge</b>: writer → channel → <see cref="JetStreamPublisher"/> → server → <see cref="JetStreamSubscriber"/> → channel → reader.</item>
/// </list>
/// Throughput is messages per second over <c>--count</c> messages (file storage, so every message is written to
/// the store). Latency is one message at a time, from the write (or publish) to the reader, over <c>--latency</c>
/// messages; the bridge's added latency is its figure less the channel's. Allocation is the process's allocated
/// bytes per message during the throughput run (both bridges, the client, the server's acks).
/// </summary>
internal static class BridgeBenchmark
{
    private const int Window = 512;

    public static int Run(string[] args)
    {
        string? url = Option(args, "--nats");
        long count = long.Parse(Option(args, "--count") ?? "50000", CultureInfo.InvariantCulture);
        int latencyCount = int.Parse(Option(args, "--latency") ?? "2000", CultureInfo.InvariantCulture);
        using Server? server = url is null ? Server.Start() : null;
        url ??= server!.Url;
        Console.WriteLine($"bridge benchmark: nats-server at {url}, {count} messages per throughput run, {latencyCount} per latency run; {Environment.ProcessorCount} CPUs, load average {LoadAverage()}");
        Console.WriteLine("size   path     msgs/s   x nats   alloc B/msg   latency p50 us   p99 us");
        // Warm-up: JIT and tiering of every path, the server's first stream files, the client's buffers.
        ChannelThroughput(64, count / 10);
        NatsThroughputAsync(url, 64, count / 10).GetAwaiter().GetResult();
        BridgeThroughputAsync(url, 64, count / 10).GetAwaiter().GetResult();
        foreach (int size in new[] { 64, 1024 })
        {
            (double channelRate, double channelAlloc) = Throughput(() => ChannelThroughput(size, count), count);
            (double natsRate, double natsAlloc) = Throughput(() => NatsThroughputAsync(url, size, count).GetAwaiter().GetResult(), count);
            (double natsPlusRate, double natsPlusAlloc) = Throughput(() => NatsThroughputAsync(url, size, count, asBridge: true).GetAwaiter().GetResult(), count);
            (double bridgeRate, double bridgeAlloc) = Throughput(() => BridgeThroughputAsync(url, size, count).GetAwaiter().GetResult(), count);
            double[] channelLatency = ChannelLatency(size, latencyCount);
            double[] natsLatency = NatsLatencyAsync(url, size, latencyCount).GetAwaiter().GetResult();
            double[] bridgeLatency = BridgeLatencyAsync(url, size, latencyCount).GetAwaiter().GetResult();
            Row(size, "channel", channelRate, natsRate, channelAlloc, channelLatency);
            Row(size, "nats", natsRate, natsRate, natsAlloc, natsLatency);
            Row(size, "nats+", natsPlusRate, natsRate, natsPlusAlloc, []);
            Row(size, "bridge", bridgeRate, natsRate, bridgeAlloc, bridgeLatency);
            Console.WriteLine($"{size,4} B   bridge adds {Percentile(bridgeLatency, 50) - Percentile(channelLatency, 50):0} us at p50 over the channel alone ({Percentile(bridgeLatency, 50) / Percentile(natsLatency, 50):0.00}x the direct NATS p50)");
        }

        return 0;
    }

    private static void Row(int size, string path, double rate, double natsRate, double alloc, double[] latency) =>
        Console.WriteLine(latency.Length == 0
            ? $"{size,4} B  {path,-7} {rate,9:0}   {rate / natsRate,6:0.00}   {alloc,11:0}"
            : $"{size,4} B  {path,-7} {rate,9:0}   {rate / natsRate,6:0.00}   {alloc,11:0}   {Percentile(latency, 50),14:0.0}   {Percentile(latency, 99),6:0.0}");

    private static (double Rate, double AllocPerMessage) Throughput(Action run, long count)
    {
        GC.Collect();
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        run();
        double seconds = clock.Elapsed.TotalSeconds;
        return (count / seconds, (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)count);
    }

    private static string Name(string what) => $"bb{Environment.ProcessId}-{what}-{Guid.NewGuid().ToString("N")[..6]}";

    private static SharedChannel Channel(string what) => SharedChannel.CreateOrOpen(Name(what), new SharedChannelOptions { Capacity = 1 << 22 });

    private static void ChannelThroughput(int size, long count)
    {
        using SharedChannel channel = Channel("c");
        Task write = Task.Factory.StartNew(() => Write(channel, size, count, complete: true), TaskCreationOptions.LongRunning);
        Drain(channel, count);
        write.Wait();
    }

    private static async Task NatsThroughputAsync(string url, int size, long count, bool asBridge = false)
    {
        string subject = "bench.nats." + Guid.NewGuid().ToString("N")[..8];
        await using var publishConnection = new NatsConnection(new NatsOpts { Url = url });
        await using var consumeConnection = new NatsConnection(new NatsOpts { Url = url });
        var js = new NatsJSContext(publishConnection);
        await js.CreateStreamAsync(new StreamConfig(subject.Replace('.', '_'), [subject]) { Storage = StreamConfigStorage.File });
        Task consume = ConsumeAsync(consumeConnection, subject, count, readMetadata: asBridge);
        string? previous = null;
        byte[][] buffers = Enumerable.Range(0, Window).Select(_ => new byte[size]).ToArray();
        var pending = new Queue<ValueTask<PubAckResponse>>(Window);
        string prefix = "n-" + subject + "-";
        for (long i = 0; i < count; i++)
        {
            if (pending.Count == Window)
            {
                _ = await pending.Dequeue();
            }

            byte[] buffer = buffers[i % Window];
            BinaryPrimitives.WriteInt64LittleEndian(buffer, Stopwatch.GetTimestamp());
#pragma warning disable CA2012 // each queued ValueTask is awaited exactly once, below; as the bridge's own window does
            pending.Enqueue(js.PublishAsync(subject, (ReadOnlyMemory<byte>)buffer, NatsRawSerializer<ReadOnlyMemory<byte>>.Default, Options(prefix + i.ToString(CultureInfo.InvariantCulture), asBridge ? previous : null)));
            previous = asBridge ? prefix + i.ToString(CultureInfo.InvariantCulture) : null;
#pragma warning restore CA2012
        }

        while (pending.Count > 0)
        {
            _ = await pending.Dequeue();
        }

        await consume;
        await js.DeleteStreamAsync(subject.Replace('.', '_'));
    }

    private static NatsJSPubOpts Options(string id, string? previous) => new() { MsgId = id, ExpectedLastMsgId = previous };

    private static async Task ConsumeAsync(NatsConnection connection, string subject, long count, Action<long>? onMessage = null, bool readMetadata = false)
    {
        var js = new NatsJSContext(connection);
        INatsJSConsumer consumer = await js.CreateOrUpdateConsumerAsync(subject.Replace('.', '_'), new ConsumerConfig("c") { DurableName = "c", AckPolicy = ConsumerConfigAckPolicy.All, MaxAckPending = 4096 });
        long received = 0;
        await foreach (NatsJSMsg<NatsMemoryOwner<byte>> msg in consumer.ConsumeAsync(NatsRawSerializer<NatsMemoryOwner<byte>>.Default, new NatsJSConsumeOpts { MaxMsgs = 256 }))
        {
            using NatsMemoryOwner<byte> data = msg.Data;
            onMessage?.Invoke(BinaryPrimitives.ReadInt64LittleEndian(data.Span));
            if (readMetadata && msg.Metadata is null)
            {
                throw new InvalidOperationException("no metadata");
            }

            await msg.AckAsync();
            if (++received == count)
            {
                return;
            }
        }
    }

    private static async Task BridgeThroughputAsync(string url, int size, long count)
    {
        string subject = "bench.bridge." + Guid.NewGuid().ToString("N")[..8];
        using SharedChannel source = Channel("s");
        using SharedChannel destination = Channel("d");
        await using var publishConnection = new NatsConnection(new NatsOpts { Url = url });
        await using var subscribeConnection = new NatsConnection(new NatsOpts { Url = url });
        var publisher = new JetStreamPublisher(source, publishConnection, new JetStreamPublisherOptions { Subject = subject, MaxInFlight = Window });
        var subscriber = new JetStreamSubscriber(subscribeConnection, destination, new JetStreamSubscriberOptions { Subject = subject, StopAtCompletion = true });
        Task publish = publisher.RunAsync();
        Task subscribe = subscriber.RunAsync();
        Task write = Task.Factory.StartNew(() => Write(source, size, count, complete: true), TaskCreationOptions.LongRunning);
        Task read = Task.Factory.StartNew(() => Drain(destination, count), TaskCreationOptions.LongRunning);
        await Task.WhenAll(publish, subscribe, write, read);
        await new NatsJSContext(publishConnection).DeleteStreamAsync(BridgeStream.DefaultName(subject));
    }

    private static double[] ChannelLatency(int size, int count)
    {
        using SharedChannel channel = Channel("cl");
        using SharedChannelWriter writer = channel.CreateWriter();
        using SharedChannelReader reader = channel.CreateReader();
        var results = new double[count];
        byte[] buffer = new byte[size];
        Task<double[]> read = Task.Factory.StartNew(() => ReadLatencies(channel, reader, count), TaskCreationOptions.LongRunning);
        for (int i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(buffer, Stopwatch.GetTimestamp());
            writer.Write(buffer);
            Thread.Sleep(0);
            SpinUntil(() => channel.MessagesWritten == i + 1 && Volatile.Read(ref Received) > i);
        }

        return read.Result;
    }

    private static long Received;

    private static double[] ReadLatencies(SharedChannel channel, SharedChannelReader reader, int count)
    {
        var results = new double[count];
        byte[] buffer = new byte[channel.MaxMessageLength];
        Volatile.Write(ref Received, 0);
        for (int i = 0; i < count; i++)
        {
            while (!reader.TryRead(buffer, out _))
            {
                _ = reader.WaitToRead(TimeSpan.FromSeconds(10));
            }

            results[i] = Stopwatch.GetElapsedTime(BinaryPrimitives.ReadInt64LittleEndian(buffer)).TotalMicroseconds;
            Interlocked.Increment(ref Received);
        }

        return results;
    }

    private static async Task<double[]> NatsLatencyAsync(string url, int size, int count)
    {
        string subject = "bench.natsl." + Guid.NewGuid().ToString("N")[..8];
        await using var publishConnection = new NatsConnection(new NatsOpts { Url = url });
        await using var consumeConnection = new NatsConnection(new NatsOpts { Url = url });
        var js = new NatsJSContext(publishConnection);
        await js.CreateStreamAsync(new StreamConfig(subject.Replace('.', '_'), [subject]) { Storage = StreamConfigStorage.File });
        var results = new double[count];
        long received = 0;
        Task consume = ConsumeAsync(consumeConnection, subject, count, stamp => results[Interlocked.Increment(ref received) - 1] = Stopwatch.GetElapsedTime(stamp).TotalMicroseconds);
        byte[] buffer = new byte[size];
        for (int i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(buffer, Stopwatch.GetTimestamp());
            _ = await js.PublishAsync(subject, (ReadOnlyMemory<byte>)buffer, NatsRawSerializer<ReadOnlyMemory<byte>>.Default, new NatsJSPubOpts { MsgId = "l" + i.ToString(CultureInfo.InvariantCulture) });
            while (Interlocked.Read(ref received) <= i)
            {
                await Task.Yield();
            }
        }

        await consume;
        await js.DeleteStreamAsync(subject.Replace('.', '_'));
        return results;
    }

    private static async Task<double[]> BridgeLatencyAsync(string url, int size, int count)
    {
        string subject = "bench.bridgel." + Guid.NewGuid().ToString("N")[..8];
        using SharedChannel source = Channel("sl");
        using SharedChannel destination = Channel("dl");
        await using var publishConnection = new NatsConnection(new NatsOpts { Url = url });
        await using var subscribeConnection = new NatsConnection(new NatsOpts { Url = url });
        var publisher = new JetStreamPublisher(source, publishConnection, new JetStreamPublisherOptions { Subject = subject });
        var subscriber = new JetStreamSubscriber(subscribeConnection, destination, new JetStreamSubscriberOptions { Subject = subject, StopAtCompletion = true });
        Task publish = publisher.RunAsync();
        Task subscribe = subscriber.RunAsync();
        using SharedChannelReader reader = destination.CreateReader();
        Task<double[]> read = Task.Factory.StartNew(() => ReadLatencies(destination, reader, count), TaskCreationOptions.LongRunning);
        using (SharedChannelWriter writer = source.CreateWriter())
        {
            byte[] buffer = new byte[size];
            for (int i = 0; i < count; i++)
            {
                BinaryPrimitives.WriteInt64LittleEndian(buffer, Stopwatch.GetTimestamp());
                writer.Write(buffer);
                while (Volatile.Read(ref Received) <= i)
                {
                    Thread.Sleep(0);
                }
            }

            writer.Complete();
        }

        double[] results = await read;
        await Task.WhenAll(publish, subscribe);
        await new NatsJSContext(publishConnection).DeleteStreamAsync(BridgeStream.DefaultName(subject));
        return results;
    }

    private static void Write(SharedChannel channel, int size, long count, bool complete)
    {
        using SharedChannelWriter writer = channel.CreateWriter();
        byte[] buffer = new byte[size];
        for (long i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(buffer, i);
            writer.Write(buffer);
        }

        if (complete)
        {
            writer.Complete();
        }
    }

    private static void Drain(SharedChannel channel, long count)
    {
        using SharedChannelReader reader = channel.CreateReader();
        byte[] buffer = new byte[channel.MaxMessageLength];
        for (long i = 0; i < count; i++)
        {
            while (!reader.TryRead(buffer, out _))
            {
                _ = reader.WaitToRead(TimeSpan.FromSeconds(10));
            }

            if (BinaryPrimitives.ReadInt64LittleEndian(buffer) != i)
            {
                throw new InvalidOperationException($"message {i} carried {BinaryPrimitives.ReadInt64LittleEndian(buffer)}");
            }
        }
    }

    private static void SpinUntil(Func<bool> condition)
    {
        while (!condition())
        {
            Thread.Sleep(0);
        }
    }

    private static double Percentile(double[] values, int percentile)
    {
        double[] sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, sorted.Length * percentile / 100)];
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    /// <summary>A nats-server -js of the benchmark's own, removed with its store at the end.</summary>
    private sealed class Server : IDisposable
    {
        private readonly Process _process;
        private readonly string _store = Path.Combine(Path.GetTempPath(), "memshare-bench-nats-" + Guid.NewGuid().ToString("N")[..8]);

        private Server(int port)
        {
            Url = $"nats://127.0.0.1:{port}";
            var info = new ProcessStartInfo("nats-server") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string a in new[] { "-js", "-a", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-sd", _store })
            {
                info.ArgumentList.Add(a);
            }

            _process = Process.Start(info)!;
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
            for (int i = 0; ; i++)
            {
                try
                {
                    using var probe = new TcpClient();
                    probe.Connect(IPAddress.Loopback, port);
                    return;
                }
                catch (SocketException) when (i < 500)
                {
                    Thread.Sleep(20);
                }
            }
        }

        public string Url { get; }

        public static Server Start()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return new Server(port);
        }

        public void Dispose()
        {
            _process.Kill();
            _process.WaitForExit();
            Directory.Delete(_store, recursive: true);
        }
    }
}
