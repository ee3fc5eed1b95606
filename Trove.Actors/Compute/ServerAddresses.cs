using System.Net;
using System.Net.Sockets;

namespace Trove.Actors.Compute;

/// <summary>
/// The loopback addresses of a machine's local servers, one each, as a VM has an address of its own (Linux routes all of
/// 127.0.0.0/8 to lo). The registry is a directory of the machine, not of one node, since every control plane on the
/// machine (a cluster's nodes, other deployments) shares its addresses: a file per address, naming the server
/// directory that holds it, all changed under one lock. A reservation whose server directory is gone (a data dir
/// removed without deleting its servers) is free again.
/// </summary>
public sealed class ServerAddresses(string registry, IPNetwork range)
{
    private const string LockFile = ".lock";

    /// <summary>Refuses a range outside loopback or holding 127.0.0.1, where the machine's own services listen.</summary>
    public static IPNetwork ParseRange(string cidr)
    {
        if (!IPNetwork.TryParse(cidr, out var range) || range.BaseAddress.AddressFamily != AddressFamily.InterNetwork)
            throw new ArgumentException($"local server addresses: '{cidr}' is not an IPv4 CIDR");
        if (!IPNetwork.Parse("127.0.0.0/8").Contains(range.BaseAddress) || range.PrefixLength < 8
            || range.Contains(IPAddress.Loopback) || range.PrefixLength > 30)
            throw new ArgumentException($"local server addresses: '{cidr}' must be a loopback range of at least 4 addresses without 127.0.0.1");
        return range;
    }

    /// <summary>The address the server in <paramref name="serverDirectory"/> holds, or the first free one of the range
    /// where nothing listens on <paramref name="port"/> yet, reserved for it.</summary>
    public async Task<string> ReserveAsync(string serverDirectory, int port, CancellationToken ct)
    {
        using var _ = await LockAsync(ct);
        var reservations = Reservations();
        if (reservations.FirstOrDefault(r => r.Directory == serverDirectory) is { } held)
            return held.Address;
        var taken = reservations.Where(r => Directory.Exists(r.Directory)).Select(r => r.Address).ToHashSet();
        foreach (var address in Candidates())
        {
            if (taken.Contains(address) || !IsFree(address, port))
                continue;
            File.WriteAllText(Path.Combine(registry, address), serverDirectory);
            return address;
        }
        throw new TransientComputeException($"no free local server address left in {range}");
    }

    /// <summary>Gives back what the server in <paramref name="serverDirectory"/> holds; nothing when it holds none.</summary>
    public async Task FreeAsync(string serverDirectory, CancellationToken ct)
    {
        using var _ = await LockAsync(ct);
        foreach (var reservation in Reservations().Where(r => r.Directory == serverDirectory))
            File.Delete(Path.Combine(registry, reservation.Address));
    }

    private sealed record Reservation(string Address, string Directory);

    private List<Reservation> Reservations() =>
        Directory.EnumerateFiles(registry)
            .Where(f => IPAddress.TryParse(Path.GetFileName(f), out _))
            .Select(f => new Reservation(Path.GetFileName(f), ReadOrEmpty(f)))
            .ToList();

    private static string ReadOrEmpty(string path)
    {
        try { return File.ReadAllText(path).Trim(); }
        catch (FileNotFoundException) { return ""; }
    }

    /// <summary>The range's addresses but its first and last, which look like a network's and a broadcast address.</summary>
    private IEnumerable<string> Candidates()
    {
        var first = AsNumber(range.BaseAddress);
        var count = 1u << (32 - range.PrefixLength);
        for (var i = 1u; i < count - 1; i++)
            yield return new IPAddress(BitConverter.GetBytes(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(first + i))).ToString();
    }

    private static uint AsNumber(IPAddress address) =>
        System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes());

    /// <summary>Something else may listen there (a server whose registry was lost, another program).</summary>
    private static bool IsFree(string address, int port)
    {
        try
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(IPAddress.Parse(address), port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private async Task<IDisposable> LockAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(registry);
        var path = Path.Combine(registry, LockFile);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                await Task.Delay(20, ct); // another node of the machine holds it
            }
        }
    }
}
