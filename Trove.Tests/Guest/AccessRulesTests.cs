using Trove.Contracts.Guests;
using Trove.Guest.Datastores.MariaDb;

namespace Trove.Tests.Guest;

/// <summary>upstream's allowed_cidrs as the engines' host rules take them.</summary>
public sealed class AccessRulesTests
{
    [Theory]
    [InlineData("10.0.0.0/8", "10.0.0.0/8", "255.0.0.0")]
    [InlineData("10.1.2.3/16", "10.1.0.0/16", "255.255.0.0")] // host bits cleared, as the engines want the network
    [InlineData("127.43.0.5", "127.43.0.5/32", "255.255.255.255")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0", "0.0.0.0")]
    public void A_cidr_names_its_network(string text, string network, string netmask)
    {
        var cidr = Cidr.Parse(text)!;
        Assert.Equal(network, cidr.ToString());
        Assert.Equal(netmask, cidr.Netmask);
    }

    [Theory]
    [InlineData("10.0.0.300/8")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0/8")]
    [InlineData("::1/128")]
    [InlineData("10.0.0.0/8 ")]
    [InlineData("")]
    public void What_upstream_refuses_is_not_a_cidr(string text) => Assert.Null(Cidr.Parse(text));

    [Fact]
    public void MariaDB_root_gets_an_account_per_network_and_percent_when_every_network_is_allowed()
    {
        Assert.Equal(["%"], MariaAccess.RootHosts([]));
        Assert.Equal(["127.43.0.5", "10.0.0.0/255.0.0.0"], MariaAccess.RootHosts([Cidr.Parse("127.43.0.5/32")!, Cidr.Parse("10.0.0.0/8")!]));
        Assert.Equal("", MariaAccess.InitConnect([]));
        Assert.Contains("BETWEEN 167772160 AND 184549375", MariaAccess.InitConnect([Cidr.Parse("10.0.0.0/8")!]));
    }
}
