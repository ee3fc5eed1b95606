using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Trove.Tests.Support;

namespace Trove.Tests.Dashboard;

/// <summary>The page is served to anyone (it holds no data; everything it shows comes from the API with the user's token),
/// from inside the node's dll, and names the identity it logs in against.</summary>
[Collection("node")]
public sealed class DashboardHostingTests(NodeFixture fixture)
{
    [Fact]
    public async Task The_page_its_scripts_and_its_config_are_served_without_a_token_and_only_from_this_origin()
    {
        using var anonymous = fixture.Node.Anonymous();
        var bare = await anonymous.GetAsync("dashboard"); // redirected, so that the page's relative links resolve under it
        Assert.Equal(HttpStatusCode.OK, bare.StatusCode);
        Assert.EndsWith("/dashboard/", bare.RequestMessage!.RequestUri!.AbsolutePath);

        var page = await anonymous.GetAsync("dashboard/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        Assert.Contains("<script src=\"app.js\"", await page.Content.ReadAsStringAsync());
        Assert.StartsWith("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());
        foreach (var file in new[] { "app.js", "api.js", "style.css" })
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"dashboard/{file}")).StatusCode);
        // No file: the path is like any other then, and needs a caller.
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("dashboard/missing.js")).StatusCode);

        var config = await anonymous.GetFromJsonAsync<JsonObject>("dashboard/config.json");
        Assert.Equal("builtin", (string?)config!["mode"]);
        Assert.Equal(new Uri(fixture.Node.BaseAddress, "v3").ToString(), (string?)config["identity"]);
    }

    [Fact]
    public async Task A_keystone_mode_node_sends_the_page_to_its_keystone_to_log_in()
    {
        const string keystone = "http://keystone.invalid:5000/v3";
        await using var node = await TroveNode.StartAsync(TroveNode.NewDataDir(), new Dictionary<string, string>
        {
            ["Trove__Auth__Mode"] = "keystone",
            ["Trove__Auth__KeystoneUrl"] = keystone,
        });
        using var anonymous = node.Anonymous();
        var config = await anonymous.GetFromJsonAsync<JsonObject>("dashboard/config.json");
        Assert.Equal("keystone", (string?)config!["mode"]);
        Assert.Equal(keystone, (string?)config["identity"]);
        var page = await anonymous.GetAsync("dashboard/");
        Assert.Contains("connect-src 'self' http://keystone.invalid:5000", page.Headers.GetValues("Content-Security-Policy").Single());
    }
}
