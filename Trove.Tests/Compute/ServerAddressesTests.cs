using System.Net;
using System.Net.Sockets;
using Trove.Actors.Compute;

namespace Trove.Tests.Compute;

/// <summary>Each local server gets a loopback address of its own from the configured range, kept until it is deleted.</summary>
public sealed class ServerAddressesTests : IDisposable
{
    private readonly string _root = Directory.CreateDirectory($"/tmp/sa-{Guid.NewGuid().ToString("N")[..8]}").FullName;
    private static readonly CancellationToken None = CancellationToken.None;

    // A range of its own per test run, so that other tests' servers on this machine never hold its addresses.
    private readonly IPNetwork _range = IPNetwork.Parse($"127.44.{Random.Shared.Next(1, 250)}.0/29");

    private ServerAddresses Addresses() => new(Path.Combine(_root, "registry"), _range);

    private string Server(string name) => Directory.CreateDirectory(Path.Combine(_root, name)).FullName;

    [Fact]
    public async Task Servers_get_distinct_addresses_a_server_keeps_its_own_and_a_freed_one_is_given_again()
    {
        var a = await Addresses().ReserveAsync(Server("a"), 5432, None);
        var b = await Addresses().ReserveAsync(Server("b"), 5432, None);

        Assert.NotEqual(a, b);
        Assert.True(_range.Contains(IPAddress.Parse(a)) && _range.Contains(IPAddress.Parse(b)));
        Assert.NotEqual(_range.BaseAddress.ToString(), a); // not the network's own address
        Assert.Equal(a, await Addresses().ReserveAsync(Server("a"), 5432, None)); // a retried create keeps it

        await Addresses().FreeAsync(Server("a"), None);
        Assert.Equal(a, await Addresses().ReserveAsync(Server("c"), 5432, None));
    }

    [Fact]
    public async Task An_address_where_something_listens_on_the_port_or_whose_server_is_gone_is_handled()
    {
        var first = _range.BaseAddress.GetAddressBytes();
        first[3] += 1;
        using var squatter = new TcpListener(new IPAddress(first), 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;

        var a = await Addresses().ReserveAsync(Server("a"), port, None);
        Assert.NotEqual(new IPAddress(first).ToString(), a); // something listens there already

        Directory.Delete(Server("a")); // a data dir removed without deleting its servers
        Assert.Equal(a, await Addresses().ReserveAsync(Server("b"), port, None));
    }

    [Theory]
    [InlineData("127.0.0.0/8")]
    [InlineData("127.0.0.0/24")]
    [InlineData("10.0.0.0/16")]
    [InlineData("not-a-cidr")]
    public void A_range_outside_loopback_or_holding_127_0_0_1_is_refused(string cidr) =>
        Assert.Throws<ArgumentException>(() => ServerAddresses.ParseRange(cidr));

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
