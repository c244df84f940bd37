using System.Diagnostics;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Grpc.Core;
using Memshare.Benchmarks.Harness;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Memshare.Benchmarks.Ipc.Grpc;

/// <summary>
/// The <c>grpc-uds</c> peer: Kestrel listening on the Unix domain socket, HTTP/2 only, with <see cref="EchoServer"/>
/// mapped. It says "ready" once listening; each "echo" or "stream" command then waits until the server has seen
/// that phase end (the empty echo, or the stream's last message) and says "done".
/// </summary>
internal static class GrpcPeerServer
{
    /// <summary>A phase may run as long as the harness's watchdog allows it.</summary>
    private static readonly TimeSpan s_phaseLimit = TimeSpan.FromSeconds(60);

    internal static int Run(string socketPath)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders(); // stdout carries the peer's answers to the harness
        builder.WebHost.ConfigureKestrel(k => k.ListenUnixSocket(socketPath, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        using var phaseEnded = new SemaphoreSlim(0);
        builder.Services.AddSingleton(phaseEnded);
        WebApplication app = builder.Build();
        app.MapGrpcService<EchoServer>();
        app.StartAsync().GetAwaiter().GetResult();
        try
        {
            return PeerCommands.Serve(words => words[0] is "echo" or "stream"
                ? phaseEnded.Wait(s_phaseLimit) ? "done" : throw new TimeoutException($"The {words[0]} phase did not end within {s_phaseLimit.TotalSeconds:F0} s.")
                : null);
        }
        finally
        {
            app.StopAsync().GetAwaiter().GetResult();
            app.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}

/// <summary>The service: echoes each unary payload; streams numbered messages on request. Signals each phase's end.</summary>
internal sealed class EchoServer(SemaphoreSlim phaseEnded) : EchoService.EchoServiceBase
{
    public override Task<Payload> Echo(Payload request, ServerCallContext context)
    {
        if (request.Data.Length == 0)
        {
            phaseEnded.Release();
        }

        return Task.FromResult(request);
    }

    /// <summary>Sends numbered messages for the requested time (checking the clock every 256), then an empty one.</summary>
    public override async Task Stream(IAsyncStreamReader<StreamRequest> requestStream, IServerStreamWriter<Payload> responseStream, ServerCallContext context)
    {
        if (!await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            return;
        }

        StreamRequest request = requestStream.Current;
        byte[] buffer = new byte[request.Size];
        long end = Stopwatch.GetTimestamp() + (long)(request.Milliseconds / 1000.0 * Stopwatch.Frequency);
        for (long sequence = 0; ; sequence++)
        {
            MemoryMarshal.Write(buffer, in sequence);
            await responseStream.WriteAsync(new Payload { Data = ByteString.CopyFrom(buffer) }).ConfigureAwait(false);
            if ((sequence & 255) == 255 && Stopwatch.GetTimestamp() >= end)
            {
                break;
            }
        }

        await responseStream.WriteAsync(new Payload()).ConfigureAwait(false);
        phaseEnded.Release();
    }
}
