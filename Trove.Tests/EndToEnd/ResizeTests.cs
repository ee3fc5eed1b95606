using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Trove.Tests.Support;

namespace Trove.Tests.EndToEnd;

/// <summary>Resizing the flavor (the engine's memory, with a restart) and the volume, on the real stack.</summary>
[Collection("node")]
public sealed class ResizeTests(NodeFixture fixture)
{
    private TroveNode Node => fixture.Node;

    private static async Task<string> ValueAsync(JsonObject instance, string query) =>
        Convert.ToString(await EngineClient.ScalarAsync(instance, query), System.Globalization.CultureInfo.InvariantCulture)!;

    private Task<HttpResponseMessage> ResizeAsync(string id, object resize) =>
        Node.Http.PostAsJsonAsync($"v1.0/demo/instances/{id}/action", new { resize });

    [Theory]
    [InlineData("postgresql", "15", "SHOW shared_buffers", "128MB", "256MB")]
    [InlineData("mariadb", "10.11", "SELECT @@innodb_buffer_pool_size", "134217728", "268435456")]
    public async Task A_new_flavor_resizes_the_engine_s_memory_and_a_bigger_volume_is_taken(
        string datastore, string version, string memoryQuery, string smallMemory, string mediumMemory)
    {
        var id = (string)(await Node.CreateInstanceAsync("demo", DatabaseUserRootTests.CreateBody($"{datastore}-resize", datastore, version)))["id"]!;
        var instance = await Node.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(90));
        Assert.Equal(smallMemory, await ValueAsync(instance, memoryQuery)); // a quarter of small's 512 MB

        Assert.Equal(HttpStatusCode.Accepted, (await ResizeAsync(id, new { flavorRef = "medium" })).StatusCode);
        var resized = await Node.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(60));
        Assert.Equal("medium", (string?)resized["flavor"]!["id"]);
        Assert.Equal(mediumMemory, await ValueAsync(instance, memoryQuery));

        Assert.Equal(HttpStatusCode.Accepted, (await ResizeAsync(id, new { volume = new { size = 2 } })).StatusCode);
        var grown = await Node.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(60));
        Assert.Equal(2, (int?)grown["volume"]!["size"]);

        Assert.Equal(HttpStatusCode.BadRequest, (await ResizeAsync(id, new { volume = new { size = 1 } })).StatusCode); // grow only
        Assert.Equal(HttpStatusCode.BadRequest, (await ResizeAsync(id, new { volume = new { size = 500 } })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await ResizeAsync(id, new { flavorRef = "medium" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ResizeAsync(id, new { flavorRef = "huge" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await ResizeAsync(id, new { })).StatusCode);

        Assert.Equal(HttpStatusCode.Accepted, (await Node.Http.DeleteAsync($"v1.0/demo/instances/{id}")).StatusCode);
    }
}
