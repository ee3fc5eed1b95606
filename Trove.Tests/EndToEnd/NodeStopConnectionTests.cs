using System.Collections.Concurrent;
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
        var brokenKinds = new ConcurrentQueue<string>();
        using var stopped = new CancellationTokenSource();
        // Fresh connections, one request each, from several threads: some are always queued in the kernel,
        // not yet accepted, when the node closes its listener.
        var clients = Enumerable.Range(0, 16).Select(_ => Task.Factory.StartNew(() =>
        {
            while (!stopped.IsCancellationRequested)
            {
                var outcome = RequestOnFreshConnection(node.BaseAddress.Port, brokenKinds);
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
        foreach (var kind in brokenKinds)
            output.WriteLine(kind);
        node.KeepLog = counts[(int)Outcome.Reset] + counts[(int)Outcome.Broken] > 0;
        Assert.True(counts[(int)Outcome.Answered] > 0);
        Assert.True(counts[(int)Outcome.Refused] > 0);
        Assert.Equal(0, counts[(int)Outcome.Reset]);
        Assert.Equal(0, counts[(int)Outcome.Broken]);
    }

    /// <summary>
    /// Connections the node took before its stop whose clients send only once the stop has begun: fresh ones (a client
    /// that connected just before, then was descheduled, or runs on the other core) and ones kept alive after a first
    /// request. Each is answered, with <c>Connection: close</c>; none is closed under its request (a reset, or an end
    /// without an answer, after which the client cannot tell whether its request was taken).
    /// </summary>
    [Fact]
    public async Task A_connection_taken_before_the_stop_is_answered_when_its_request_comes_once_the_stop_has_begun()
    {
        var dataDir = TroveNode.NewDataDir();
        await using var node = await TroveNode.StartAsync(dataDir);
        var port = node.BaseAddress.Port;
        var fresh = Enumerable.Range(0, 8).Select(_ => Connect(port)).ToList();
        var keptAlive = Enumerable.Range(0, 8).Select(_ => Connect(port)).ToList();
        foreach (var socket in keptAlive)
            Assert.StartsWith("HTTP/1.1 200", Exchange(socket));
        await Task.Delay(300); // Kestrel has taken every connection

        var stopping = node.StopAsync(); // SIGTERM, sent before this returns
        await Task.Delay(400); // past the 200 ms in which the kernel's queued connections are taken
        var answers = await Task.WhenAll(fresh.Concat(keptAlive).Select(socket => Task.Run(() => Exchange(socket))));
        await stopping;
        foreach (var socket in fresh.Concat(keptAlive))
            socket.Dispose();

        for (var i = 0; i < answers.Length; i++)
            output.WriteLine($"{(i < fresh.Count ? "fresh" : "kept alive")}: {answers[i].Split("\r\n")[0]}");
        node.KeepLog = !answers.All(a => a.StartsWith("HTTP/1.1 200"));
        Assert.All(answers, answer => Assert.StartsWith("HTTP/1.1 200", answer));
        Assert.All(answers, answer => Assert.Contains("\r\nConnection: close\r\n", answer));
    }

    private static Socket Connect(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000 };
        socket.Connect("127.0.0.1", port);
        return socket;
    }

    /// <summary>One request without <c>Connection: close</c>, and its whole answer (headers and body); what happened instead.</summary>
    private static string Exchange(Socket socket)
    {
        try
        {
            socket.Send("GET / HTTP/1.1\r\nHost: trove\r\n\r\n"u8);
            var received = new MemoryStream();
            var buffer = new byte[8192];
            while (true)
            {
                var read = socket.Receive(buffer);
                if (read == 0)
                    return received.Length == 0 ? "ended without an answer" : $"ended within the answer: {Encoding.ASCII.GetString(received.ToArray())}";
                received.Write(buffer, 0, read);
                var text = Encoding.ASCII.GetString(received.ToArray());
                var headersEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (headersEnd < 0)
                    continue;
                var length = text[..headersEnd].Split("\r\n")
                    .FirstOrDefault(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))?.Split(':')[1].Trim();
                var complete = length is not null
                    ? Encoding.ASCII.GetByteCount(text) - headersEnd - 4 >= int.Parse(length)
                    : text.EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal); // chunked
                if (complete)
                    return text;
            }
        }
        catch (SocketException e)
        {
            return $"{e.SocketErrorCode}: {e.Message}";
        }
    }

    private static Outcome RequestOnFreshConnection(int port, ConcurrentQueue<string> brokenKinds)
    {
        var step = "connect";
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 30_000 };
            socket.Connect("127.0.0.1", port);
            step = "send";
            socket.Send("GET / HTTP/1.1\r\nHost: trove\r\nConnection: close\r\n\r\n"u8);
            var response = new MemoryStream();
            var buffer = new byte[8192];
            step = "receive";
            int read;
            while ((read = socket.Receive(buffer)) > 0)
                response.Write(buffer, 0, read);
            var text = Encoding.ASCII.GetString(response.ToArray());
            if (text.StartsWith("HTTP/1.1 200"))
                return Outcome.Answered;
            brokenKinds.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} broken: {(text.Length == 0 ? "the connection ended without a response" : text.Split('\n')[0])}");
            return Outcome.Broken;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return Outcome.Refused;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            brokenKinds.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} reset on {step}");
            return Outcome.Reset;
        }
        catch (SocketException e)
        {
            brokenKinds.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} broken on {step}: {e.SocketErrorCode} {e.Message}");
            return Outcome.Broken;
        }
    }
}
