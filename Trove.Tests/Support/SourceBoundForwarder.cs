using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Trove.Tests.Support;

/// <summary>
/// Lets a client that cannot choose its source address (Npgsql, MySqlConnector) reach an engine from one: it listens on
/// 127.0.0.1 and relays each connection through a socket bound to <paramref name="source"/> (any address of
/// 127.0.0.0/8 is the machine's own), so the engine sees the client at that address.
/// </summary>
public sealed class SourceBoundForwarder : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly IPAddress _source;
    private readonly CancellationTokenSource _stop = new();

    public SourceBoundForwarder(string source, string targetAddress, int targetPort)
    {
        _source = IPAddress.Parse(source);
        _target = new IPEndPoint(IPAddress.Parse(targetAddress), targetPort);
        _listener.Start();
        _ = AcceptAsync();
    }

    /// <summary>A forwarder to <paramref name="instance"/>'s engine from <paramref name="source"/>.</summary>
    public static SourceBoundForwarder To(JsonObject instance, string source)
    {
        var address = instance["addresses"]![0]!;
        return new SourceBoundForwarder(source, (string)address["address"]!, (int)address["port"]!);
    }

    /// <summary>The instance as <see cref="EngineClient"/> reaches it through this forwarder.</summary>
    public JsonObject Through(JsonObject instance)
    {
        var copy = instance.DeepClone().AsObject();
        copy["addresses"] = new JsonArray(new JsonObject { ["address"] = "127.0.0.1", ["port"] = ((IPEndPoint)_listener.LocalEndpoint).Port });
        return copy;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try { client = await _listener.AcceptSocketAsync(_stop.Token); }
            catch (Exception) { return; }
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        using var _ = client;
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            server.Bind(new IPEndPoint(_source, 0));
            await server.ConnectAsync(_target, _stop.Token);
            await Task.WhenAny(PipeAsync(client, server), PipeAsync(server, client));
        }
        catch (Exception) { /* the client sees its connection closed */ }
    }

    private async Task PipeAsync(Socket from, Socket to)
    {
        var buffer = new byte[16384];
        int read;
        while ((read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token)) > 0)
            await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
        to.Shutdown(SocketShutdown.Send);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }
}
