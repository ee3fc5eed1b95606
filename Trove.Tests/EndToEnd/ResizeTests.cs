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

    private static async Task<string> ShowAsync(JsonObject instance, string parameter) =>
        (string)(await EngineClient.ScalarAsync(instance, $"SHOW {parameter}"))!;

    private Task<HttpResponseMessage> ResizeAsync(string id, object resize) =>
        Node.Http.PostAsJsonAsync($"v1.0/demo/instances/{id}/action", new { resize });

    [Fact]
    public async Task A_new_flavor_resizes_the_engine_s_memory_and_a_bigger_volume_is_taken()
    {
        var id = (string)(await Node.CreateInstanceAsync("demo", PostgresInstanceTests.CreateBody("pg-resize")))["id"]!;
        var instance = await Node.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(90));
        Assert.Equal("128MB", await ShowAsync(instance, "shared_buffers")); // a quarter of small's 512 MB

        Assert.Equal(HttpStatusCode.Accepted, (await ResizeAsync(id, new { flavorRef = "medium" })).StatusCode);
        var resized = await Node.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(60));
        Assert.Equal("medium", (string?)resized["flavor"]!["id"]);
        Assert.Equal("256MB", await ShowAsync(instance, "shared_buffers"));

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
