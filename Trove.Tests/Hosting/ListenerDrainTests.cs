using System.Net;
using System.Net.Sockets;
using System.Text;
using Trove.Web.Hosting;

namespace Trove.Tests.Hosting;

/// <summary>The API's listening socket as a stopping node leaves it (Linux socket filters, on loopback).</summary>
public sealed class ListenerDrainTests
{
    [Fact]
    public void A_new_connection_attempt_goes_unanswered_once_the_stop_has_begun()
    {
        var drain = new ListenerDrain();
        using var listener = Listening(drain);
        drain.StopTakingConnections(TimeSpan.Zero);

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var connect = client.ConnectAsync(listener.LocalEndPoint!);
        Assert.False(connect.Wait(TimeSpan.FromMilliseconds(1500)), "the SYN was answered");
        Assert.False(listener.Poll(TimeSpan.Zero, SelectMode.SelectRead));
    }

    /// <summary>A connection the kernel queued before the stop is taken before the stop goes on (then Kestrel closes the
    /// listener, which would reset what is still queued), however long its taking is delayed.</summary>
    [Fact]
    public async Task The_stop_goes_on_once_the_connections_the_kernel_queued_are_taken()
    {
        var drain = new ListenerDrain();
        using var listener = Listening(drain);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);
        Assert.True(listener.Poll(TimeSpan.FromSeconds(10), SelectMode.SelectRead));
        var taking = false;
        var taker = Task.Run(async () =>
        {
            await Task.Delay(500); // an accept loop behind on a busy machine
            Volatile.Write(ref taking, true);
            return listener.Accept();
        });

        drain.StopTakingConnections(TimeSpan.Zero);

        Assert.True(Volatile.Read(ref taking), "the stop went on with a connection still queued");
        (await taker).Dispose();
    }

    /// <summary>
    /// A handshake under way when the stop begins (the client's SYN answered, its last ACK not yet seen) completes: the
    /// client, connected, has sent its request, and the node takes the connection with it. A listener that dropped that
    /// ACK kept the connection half-open until its close reset it, under a client that had sent its request.
    /// </summary>
    [Fact]
    public void A_handshake_under_way_when_the_stop_begins_is_taken_with_its_request()
    {
        var drain = new ListenerDrain();
        using var listener = Listening(drain);
        HoldHandshakesAtTheirLastStep(listener);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!); // the client's side is open as soon as it sends its ACK
        client.Send("GET / HTTP/1.1\r\nHost: trove\r\n\r\n"u8);
        Assert.False(listener.Poll(TimeSpan.FromMilliseconds(300), SelectMode.SelectRead), "the handshake was not held");

        drain.StopTakingConnections(TimeSpan.Zero); // its own filter in place of the test's: the client's retransmission passes

        Assert.True(listener.Poll(TimeSpan.FromSeconds(10), SelectMode.SelectRead), "the connection never joined the accept queue");
        using var taken = listener.Accept();
        taken.ReceiveTimeout = 10_000;
        var buffer = new byte[1024];
        Assert.StartsWith("GET / HTTP/1.1", Encoding.ASCII.GetString(buffer, 0, taken.Receive(buffer)));
    }

    private static Socket Listening(ListenerDrain drain)
    {
        var listener = drain.CreateListener(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(16);
        return listener;
    }

    /// <summary>A socket filter that drops the listener's packets with ACK set: a handshake stays at SYN-RECEIVED.</summary>
    private static void HoldHandshakesAtTheirLastStep(Socket listener) => AckFilter.Attach(listener, keepAcked: false);
}
