using System.Net;
using System.Net.Http.Json;
using Trove.Tests.Support;

namespace Trove.Tests.Api;

/// <summary>A node in keystone mode validates tokens against a real Keystone v3 API: here, another node's built-in one.</summary>
[Collection("node")]
public sealed class KeystoneModeTests(NodeFixture fixture)
{
    [Fact]
    public async Task A_token_issued_by_the_keystone_is_accepted_and_scoped_by_a_node_that_validates_against_it()
    {
        var keystone = fixture.Node;
        await using var node = await TroveNode.StartAsync(TroveNode.NewDataDir(), new Dictionary<string, string>
        {
            ["Trove__Auth__Mode"] = "keystone",
            ["Trove__Auth__KeystoneUrl"] = new Uri(keystone.BaseAddress, "v3").ToString(),
        });
        using var client = node.Anonymous();
        client.DefaultRequestHeaders.Add("X-Auth-Token", await keystone.LoginAsync("demo", "demo", "demo"));

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("v1.0/demo/flavors")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("v1.0/other/flavors")).StatusCode);

        using var forged = node.Anonymous();
        forged.DefaultRequestHeaders.Add("X-Auth-Token", "not-a-token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync("v1.0/demo/flavors")).StatusCode);
        // A keystone-mode node issues no tokens itself.
        Assert.NotEqual(HttpStatusCode.Created, (await node.Anonymous().PostAsJsonAsync("v3/auth/tokens", TroveNode.LoginBody("demo", "demo", "demo"))).StatusCode);
    }
}
