using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Trove.Web.Hosting;

/// <summary>
/// A classic BPF socket filter on a listening socket that sorts its packets by the TCP ACK flag: <c>ldb [13]; jset
/// #0x10, acked, other</c>. The packets a listener sees begin at their TCP header, whose byte 13 holds the flags.
/// </summary>
public static class AckFilter
{
    private const int SolSocket = 1, SoAttachFilter = 26;

    /// <summary>Keeps the packets with ACK set and drops the others (<paramref name="keepAcked"/>), or the reverse.</summary>
    public static void Attach(Socket socket, bool keepAcked)
    {
        const uint Keep = uint.MaxValue, Drop = 0;
        var instructions = GCHandle.Alloc(new[]
        {
            Instruction(0x30, 0, 0, 13), // BPF_LD|BPF_B|BPF_ABS: the TCP flags
            Instruction(0x45, 0, 1, 0x10), // BPF_JMP|BPF_JSET|BPF_K: ACK set?
            Instruction(0x06, 0, 0, keepAcked ? Keep : Drop), // BPF_RET: the whole packet, or none of it
            Instruction(0x06, 0, 0, keepAcked ? Drop : Keep),
        }, GCHandleType.Pinned);
        try
        {
            var program = new byte[16]; // struct sock_fprog: a length, padding, a pointer to the instructions
            BitConverter.TryWriteBytes(program.AsSpan(0, 2), (ushort)4);
            BitConverter.TryWriteBytes(program.AsSpan(8, 8), instructions.AddrOfPinnedObject().ToInt64());
            socket.SetRawSocketOption(SolSocket, SoAttachFilter, program);
        }
        finally
        {
            instructions.Free();
        }
    }

    /// <summary>struct sock_filter, little-endian: a 16-bit code, 8-bit jump offsets if true and if false, a 32-bit constant.</summary>
    private static ulong Instruction(ushort code, byte ifTrue, byte ifFalse, uint k) =>
        code | (ulong)ifTrue << 16 | (ulong)ifFalse << 24 | (ulong)k << 32;
}
