using System.Net.Sockets;
using System.Text;
using Trove.Tests.Support;
using Xunit.Abstractions;

namespace Trove.Tests.EndToEnd;

/// <summary>What clients see of a node that stops under load: answers, then refusals, never a reset request.</summary>
[Collection("restart")]
public sealed class NodeStopConnectionTests(ITestOutputHelper output)
{
    private enum Outcome { Answered, Refused, Reset, Broken }

    [Fact]
    public async Task A_stopping_node_answers_every_connection_it_took_and_refuses_the_rest()
    {
        var dataDir = TroveNode.NewDataDir();
        await using var node = await TroveNode.StartAsync(dataDir);
        var counts = new int[4];
        using var stopped = new CancellationTokenSource();
        // Fresh connections, one request each, from several threads: some are always queued in the kernel,
        // not yet accepted, when the node closes its listener.
        var clients = Enumerable.Range(0, 16).Select(_ => Task.Factory.StartNew(() =>
        {
            while (!stopped.IsCancellationRequested)
            {
                var outcome = RequestOnFreshConnection(node.BaseAddress.Port);
                Interlocked.Increment(ref counts[(int)outcome]);
                if (outcome == Outcome.Refused)
                    Thread.Sleep(10);
            }
        }, TaskCreationOptions.LongRunning)).ToArray();

        await Task.Delay(TimeSpan.FromSeconds(2));
        await node.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(2)); // a SYN the stopping node dropped is retried after 1 s, then refused
        stopped.Cancel();
        await Task.WhenAll(clients);

        output.WriteLine($"answered {counts[0]}, refused {counts[1]}, reset {counts[2]}, broken {counts[3]}");
        Assert.True(counts[(int)Outcome.Answered] > 0);
        Assert.True(counts[(int)Outcome.Refused] > 0);
        Assert.Equal(0, counts[(int)Outcome.Reset]);
        Assert.Equal(0, counts[(int)Outcome.Broken]);
    }

    private static Outcome RequestOnFreshConnection(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 30_000 };
            socket.Connect("127.0.0.1", port);
            socket.Send("GET / HTTP/1.1\r\nHost: trove\r\nConnection: close\r\n\r\n"u8);
            var response = new MemoryStream();
            var buffer = new byte[8192];
            int read;
            while ((read = socket.Receive(buffer)) > 0)
                response.Write(buffer, 0, read);
            return Encoding.ASCII.GetString(response.ToArray()).StartsWith("HTTP/1.1 200") ? Outcome.Answered : Outcome.Broken;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return Outcome.Refused;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return Outcome.Reset;
        }
        catch (SocketException)
        {
            return Outcome.Broken;
        }
    }
}
