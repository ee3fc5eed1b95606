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
    /// A classic BPF socket filter on the listener: <c>ldb [13]; jset #0x10, accept, drop</c>. The packets a listener
    /// sees begin at their TCP header, whose byte 13 holds the flags: a SYN without ACK (a new connection attempt) is
    /// dropped; the ACK that ends a handshake begun before the stop, or the request data that comes with it, passes,
    /// so that connection joins the accept queue that Kestrel drains (dropped, it would be reset at the close while its
    /// client, connected, waits for an answer).
    /// </summary>
    private static void DropNewConnections(Socket socket)
    {
        // struct sock_filter, little-endian: a 16-bit code, 8-bit jump offsets if true and if false, a 32-bit constant
        static ulong Instruction(ushort code, byte ifTrue, byte ifFalse, uint k) =>
            code | (ulong)ifTrue << 16 | (ulong)ifFalse << 24 | (ulong)k << 32;
        var instructions = GCHandle.Alloc(new[]
        {
            Instruction(0x30, 0, 0, 13), // BPF_LD|BPF_B|BPF_ABS: the TCP flags
            Instruction(0x45, 0, 1, 0x10), // BPF_JMP|BPF_JSET|BPF_K: ACK set?
            Instruction(0x06, 0, 0, uint.MaxValue), // BPF_RET: the whole packet
            Instruction(0x06, 0, 0, 0), // BPF_RET: none of it, dropped
        }, GCHandleType.Pinned);
        try
        {
            var program = new byte[16]; // struct sock_fprog: a length, padding, a pointer to the instructions
            BitConverter.TryWriteBytes(program.AsSpan(0, 2), (ushort)4);
            BitConverter.TryWriteBytes(program.AsSpan(8, 8), instructions.AddrOfPinnedObject().ToInt64());
            socket.SetRawSocketOption(SolSocket, SoAttachFilter, program);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // the socket is already closed, or the kernel has no socket filters: Kestrel's plain close follows
        }
        finally
        {
            instructions.Free();
        }
    }
}
