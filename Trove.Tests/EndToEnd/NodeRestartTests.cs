using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Trove.Tests.Support;

namespace Trove.Tests.EndToEnd;

[Collection("restart")]
public sealed class NodeRestartTests
{
    [Fact]
    public async Task Guests_outlive_a_node_restart_and_the_restarted_node_still_lists_shows_and_serves_the_instance()
    {
        var dataDir = TroveNode.NewDataDir();
        var first = await TroveNode.StartAsync(dataDir);
        var created = await first.CreateInstanceAsync("demo", PostgresInstanceTests.CreateBody("pg-restart"));
        var id = (string)created["id"]!;
        var active = await first.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(90));
        await first.StopAsync();
        Assert.NotEmpty(first.ProcessesInServers(id)); // the guest and its engine kept running, as a VM would
        Assert.Equal(42, await PostgresInstanceTests.QueryAsAppAsync(active));

        await using var second = await TroveNode.StartAsync(dataDir);
        var shown = await second.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(30));
        Assert.Equal(active["addresses"]!.ToJsonString(), shown["addresses"]!.ToJsonString());

        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonArray listed;
        do
        {
            listed = (await second.Http.GetFromJsonAsync<JsonObject>("v1.0/demo/instances"))!["instances"]!.AsArray();
        } while (listed.Count == 0 && DateTime.UtcNow < deadline && await Delay());
        Assert.Equal("ACTIVE", (string?)Assert.Single(listed)!["status"]);

        // The guest kept reporting to the restarted node's conductor.
        var updated = (string)shown["service_status_updated"]!;
        Assert.Equal("HEALTHY", (string?)(await second.ShowAsync("demo", id))!["operating_status"]);
        Assert.NotNull(updated);
    }

    private static async Task<bool> Delay()
    {
        await Task.Delay(200);
        return true;
    }
}
