using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Trove.Tests.Support;

namespace Trove.Tests.Api;

/// <summary>
/// A client never sees the world go backwards: once a create, a rename or a delete is answered, or a show returned a
/// state, the next list (which reads the read model, not the entity) shows that state or a newer one. No sleeps: the
/// list follows each answer at once, as a script's next command does.
/// </summary>
[Collection("node")]
public sealed class MonotonicReadTests(NodeFixture fixture)
{
    private const string Tenant = "monotonic";
    private const int Instances = 4; // real servers: few of them; the renames make the tight loop
    private const int Renames = 20;

    [Fact]
    public async Task Lists_show_every_answered_create_rename_and_delete_at_once() =>
        await CheckAsync(fixture.Node.Client(Tenant), fixture.Node.Client(Tenant));

    /// <summary>Writes through <paramref name="writer"/>, reads the lists through <paramref name="reader"/> (another node's, in a cluster).</summary>
    internal static async Task CheckAsync(HttpClient writer, HttpClient reader)
    {
        var ids = new List<string>();
        for (var i = 0; i < Instances; i++)
        {
            var created = await writer.PostAsJsonAsync($"v1.0/{Tenant}/instances", new
            {
                instance = new { name = $"mono-{i}", flavorRef = "small", volume = new { size = 1 }, datastore = new { type = "postgresql" } },
            });
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
            var id = (string)(await created.Content.ReadFromJsonAsync<JsonObject>())!["instance"]!["id"]!;
            ids.Add(id);
            Assert.NotNull(await ListedAsync(reader, id));
            // the same page through another address links to that address (its rendered bytes are not the other's)
            Assert.StartsWith($"http://{OtherHost}/", (string?)(await ListedAsync(reader, id, OtherHost))?["links"]?[0]?["href"]);
        }

        for (var i = 0; i < Renames; i++)
        {
            var name = $"renamed-{i}";
            var renamed = await writer.PatchAsJsonAsync($"v1.0/{Tenant}/instances/{ids[0]}", new { instance = new { name } });
            Assert.True(renamed.IsSuccessStatusCode, await renamed.Content.ReadAsStringAsync());
            Assert.Equal(name, (string?)(await ListedAsync(reader, ids[0]))?["name"]);
        }

        foreach (var id in ids)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await writer.DeleteAsync($"v1.0/{Tenant}/instances/{id}")).StatusCode);
            var listed = await ListedAsync(reader, id);
            Assert.True(listed is null || (string?)listed["status"] == "SHUTDOWN", $"{id} listed as {listed?["status"]} after its delete was answered");
        }

        foreach (var id in ids)
        {
            var deadline = DateTime.UtcNow.AddSeconds(120);
            while ((await writer.GetAsync($"v1.0/{Tenant}/instances/{id}")).StatusCode != HttpStatusCode.NotFound)
            {
                Assert.True(DateTime.UtcNow < deadline, $"{id} was not deleted");
                var listed = await ListedAsync(reader, id);
                Assert.True(listed is null || (string?)listed["status"] == "SHUTDOWN", $"{id} listed as {listed?["status"]} while deleting");
                await Task.Delay(200);
            }
            Assert.Null(await ListedAsync(reader, id)); // shown gone: listed gone
        }
    }

    private const string OtherHost = "trove.example:8779";

    private static async Task<JsonObject?> ListedAsync(HttpClient reader, string id, string? host = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"v1.0/{Tenant}/instances");
        if (host is not null)
            request.Headers.Host = host;
        using var response = await reader.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var list = (await response.Content.ReadFromJsonAsync<JsonObject>())!["instances"]!.AsArray();
        return list.Select(i => i!.AsObject()).FirstOrDefault(i => (string?)i["id"] == id);
    }
}
