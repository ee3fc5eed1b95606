using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
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
    private const int SolSocket = 1, SoAttachFilter = 26, IpProtoTcp = 6, TcpInfo = 11;
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
            DropEveryPacket(socket);
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

    /// <summary>A classic BPF socket filter of one instruction, <c>ret #0</c>: the listener drops every SYN.</summary>
    private static void DropEveryPacket(Socket socket)
    {
        var instruction = GCHandle.Alloc(new ulong[] { 0x06 }, GCHandleType.Pinned); // BPF_RET|BPF_K, jt 0, jf 0, k 0
        try
        {
            var program = new byte[16]; // struct sock_fprog: a length, padding, a pointer to the instructions
            BitConverter.TryWriteBytes(program.AsSpan(0, 2), (ushort)1);
            BitConverter.TryWriteBytes(program.AsSpan(8, 8), instruction.AddrOfPinnedObject().ToInt64());
            socket.SetRawSocketOption(SolSocket, SoAttachFilter, program);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // the socket is already closed, or the kernel has no socket filters: Kestrel's plain close follows
        }
        finally
        {
            instruction.Free();
        }
    }
}
