using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Trove.Tests.Support;

/// <summary>
/// After each class of a shared node's collection (a class fixture of its collection definition), the instances the class
/// left on the node are deleted, and the next class starts once they are gone. Left, each kept its guest and engine
/// running, and heartbeating every second, to the end of the collection: the "node" collection's classes leave dozens,
/// each a percent or two of a core with the node's side of its heartbeats, taken from every test that runs after them.
/// </summary>
public sealed class InstancesLeftDeleted(NodeFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan GoneWithin = TimeSpan.FromSeconds(60);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        var node = fixture.Node;
        var refused = new List<JsonObject>();
        // replicas first: a replication source with replicas is refused until they are gone
        foreach (var instance in (await ListAsync(node)).OrderBy(i => i["replica_of"] is null))
            if (!await DeleteAsync(node, instance))
                refused.Add(instance);
        var deadline = DateTime.UtcNow + GoneWithin;
        List<JsonObject> left;
        while ((left = await ListAsync(node)).Count > 0 && DateTime.UtcNow < deadline)
        {
            foreach (var instance in refused.ToList())
                if (await DeleteAsync(node, instance))
                    refused.Remove(instance);
            await Task.Delay(250);
        }
    }

    private static async Task<List<JsonObject>> ListAsync(TroveNode node) =>
        (await node.Client("admin").GetFromJsonAsync<JsonObject>("v1.0/admin/mgmt/instances?deleted=false&limit=1000"))!["instances"]!.AsArray()
        .Select(i => i!.AsObject())
        .Where(i => TroveNode.TestProjects.Contains((string?)i["tenant_id"])) // the only tenants the node has
        .ToList();

    private static async Task<bool> DeleteAsync(TroveNode node, JsonObject instance)
    {
        var tenant = (string)instance["tenant_id"]!;
        using var response = await node.Client(tenant).DeleteAsync($"v1.0/{tenant}/instances/{instance["id"]}");
        return response.IsSuccessStatusCode || response.StatusCode == System.Net.HttpStatusCode.NotFound;
    }
}
