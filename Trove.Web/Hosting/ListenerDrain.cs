using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace Trove.Web.Hosting;

/// <summary>
/// Closes the API's listening sockets without resetting a connection. Closing a listener resets every connection the
/// kernel queued but Kestrel had not accepted yet: their clients sent a request and cannot tell whether it was taken.
/// So on stop the listeners first drop new connection attempts (a client's SYN goes unanswered; its retry, once the
/// socket is closed, is refused, which a client can safely send to another node), Kestrel takes what is queued (at
/// least <c>acceptQueueDrain</c>, and until the kernel's accept queues are empty), and only then does Kestrel close them.
/// </summary>
public sealed class ListenerDrain
{
    private const int IpProtoTcp = 6, TcpInfo = 11;
    private static readonly TimeSpan LongestAcceptQueueDrain = TimeSpan.FromSeconds(2);
    private readonly ConcurrentBag<Socket> _listeners = [];

    /// <summary>For <see cref="SocketTransportOptions.CreateBoundListenSocket"/>: Kestrel's own socket, remembered.</summary>
    public Socket CreateListener(EndPoint endpoint)
    {
        var socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
        _listeners.Add(socket);
        return socket;
    }

    public void StopTakingConnections(TimeSpan acceptQueueDrain)
    {
        if (!OperatingSystem.IsLinux())
            return;
        foreach (var socket in _listeners)
            DropNewConnections(socket);
        Thread.Sleep(acceptQueueDrain);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (_listeners.Any(s => AcceptQueueLength(s) > 0) && waited.Elapsed < LongestAcceptQueueDrain)
            Thread.Sleep(10);
    }

    /// <summary>The connections the kernel has queued on a listening socket (<c>tcpi_unacked</c> of its TCP_INFO).</summary>
    private static int AcceptQueueLength(Socket socket)
    {
        var info = new byte[104];
        try
        {
            return socket.GetRawSocketOption(IpProtoTcp, TcpInfo, info) >= 28 ? BitConverter.ToInt32(info, 24) : 0;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return 0;
        }
    }

    /// <summary>
    /// New connection attempts (a SYN without ACK) are dropped; the ACK that ends a handshake begun before the stop, or
    /// the request data that comes with it, passes, so that connection joins the accept queue that Kestrel drains
    /// (dropped, it would be reset at the close while its client, connected, waits for an answer).
    /// </summary>
    private static void DropNewConnections(Socket socket)
    {
        try
        {
            AckFilter.Attach(socket, keepAcked: true);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // the socket is already closed, or the kernel has no socket filters: Kestrel's plain close follows
        }
    }
}
