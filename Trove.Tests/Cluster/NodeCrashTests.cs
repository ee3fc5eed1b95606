using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Trove.Actors.Admin;
using Trove.Tests.EndToEnd;
using Trove.Tests.Support;
using Xunit.Abstractions;
using Trove.Contracts.Admin;

namespace Trove.Tests.Cluster;

/// <summary>kill -9 of the node that hosts a building instance, in a 3-node cluster.</summary>
[Collection("cluster")]
public sealed class NodeCrashTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_build_in_progress_completes_on_another_node_and_the_read_model_keeps_every_instance()
    {
        await using var cluster = await TroveCluster.StartAsync(3);
        var api = cluster.Nodes[0];

        // Instances already ACTIVE before the crash, on whichever nodes sharding put them.
        var before = new List<string>();
        for (var i = 0; i < 2; i++)
            before.Add((string)(await api.CreateInstanceAsync("demo", MariaDbInstanceTests.CreateBody($"before-{i}")))["id"]!);
        foreach (var id in before)
            await api.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(90));

        // A PostgreSQL build (the slower engine) that lands on a node other than the one we talk to.
        string building;
        int victim;
        while (true)
        {
            building = (string)(await api.CreateInstanceAsync("demo", PostgresInstanceTests.CreateBody("during-crash")))["id"]!;
            var located = await api.AdminAsync("sharding", "locate", "instance", building);
            victim = Enumerable.Range(1, 2).FirstOrDefault(i => located.Output.Contains(cluster.AkkaAddress(i)));
            if (victim != 0)
                break;
            before.Add(building); // it stays, and must survive too
        }
        var statusAtKill = (string?)(await api.ShowAsync("demo", building))!["status"];
        await cluster.Nodes[victim].KillAsync();
        output.WriteLine($"killed node {victim} while {building} was {statusAtKill}");
        Assert.Equal("BUILD", statusAtKill);

        var survivor = cluster.Nodes[3 - victim];
        var active = await survivor.WaitForStatusAsync("demo", building, "ACTIVE", TimeSpan.FromSeconds(120));
        Assert.Equal("HEALTHY", (string?)active["operating_status"]);

        // The killed node was downed and its shards moved: the entity now runs on a survivor.
        await cluster.WaitForMembersAsync(api, 2, TimeSpan.FromSeconds(60));
        var relocated = await api.AdminAsync("sharding", "locate", "instance", building);
        Assert.Equal(AdminExit.Ok, relocated.Exit);
        Assert.DoesNotContain(cluster.AkkaAddress(victim), relocated.Output);

        // The read model catches up (its projection may have moved with the crash) and has lost nothing.
        var expected = before.Append(building).ToList();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        Dictionary<string, string> listed;
        while (true)
        {
            listed = (await survivor.Http.GetFromJsonAsync<JsonObject>("v1.0/demo/instances"))!["instances"]!.AsArray()
                .ToDictionary(i => (string)i!["id"]!, i => (string)i!["status"]!);
            if (expected.All(id => listed.GetValueOrDefault(id) == "ACTIVE") || DateTime.UtcNow > deadline)
                break;
            await Task.Delay(200);
        }
        foreach (var id in expected)
            Assert.Equal("ACTIVE", listed.GetValueOrDefault(id));
    }
}
