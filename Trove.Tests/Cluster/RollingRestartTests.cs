using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Trove.Bench;
using Trove.Tests.EndToEnd;
using Trove.Tests.Support;
using Xunit.Abstractions;

namespace Trove.Tests.Cluster;

/// <summary>A full rolling restart of 3 nodes under a client that round-robins over them, as a deploy would run.</summary>
[Collection("cluster")]
public sealed class RollingRestartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task No_request_fails_and_no_acknowledged_write_is_lost_while_every_node_restarts_in_turn()
    {
        await using var cluster = await TroveCluster.StartAsync(3);
        var renamed = (string)(await cluster.Nodes[0].CreateInstanceAsync("demo", MariaDbInstanceTests.CreateBody("rolling-a")))["id"]!;
        var withDatabases = (string)(await cluster.Nodes[1].CreateInstanceAsync("demo", MariaDbInstanceTests.CreateBody("rolling-b")))["id"]!;
        foreach (var id in new[] { renamed, withDatabases })
            await cluster.Nodes[2].WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(90));

        // A 4xx is the API's own answer to a request of the moment (e.g. a rename while the instance is busy); a 5xx or a
        // broken connection is a failure.
        using var client = new RoundRobinClient(cluster.Nodes.Select(n => n.BaseAddress).ToList(),
            await cluster.Nodes[0].LoginAsync("demo", "demo", "demo"), fails: status => (int)status >= 500);
        using var stop = new CancellationTokenSource();
        string? lastName = null;
        var databases = new List<string>();
        var load = Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                await client.SendAsync("show", HttpMethod.Get, $"v1.0/demo/instances/{renamed}");
                await client.SendAsync("list", HttpMethod.Get, "v1.0/demo/instances");
                var name = $"rolling-{n}";
                if ((await client.SendAsync("rename", HttpMethod.Put, $"v1.0/demo/instances/{renamed}", new { instance = new { name } })).Status
                    == HttpStatusCode.Accepted)
                    lastName = name;
                if (n % 4 == 0)
                {
                    var database = $"db_{n}";
                    if ((await client.SendAsync("database", HttpMethod.Post, $"v1.0/demo/instances/{withDatabases}/databases",
                            new { databases = new[] { new { name = database } } })).Status == HttpStatusCode.Accepted)
                        databases.Add(database);
                }
            }
        });

        for (var i = 0; i < cluster.Nodes.Count; i++)
            await cluster.RestartAsync(i);
        await Task.Delay(1000); // some load on the cluster as it is after the deploy
        stop.Cancel();
        await load;

        output.WriteLine(client.Summary());
        if (client.Failures.Count > 0)
            cluster.KeepLogs(); // every node's: the one that dropped a request is rarely the one that answered it
        Assert.True(client.Failures.Count == 0, string.Join("\n", client.Failures.Take(10)));
        Assert.True(client.Sent > 50, client.Summary());
        Assert.NotNull(lastName);

        var api = cluster.Nodes[0];
        Assert.Equal(lastName, (string?)(await api.ShowAsync("demo", renamed))!["name"]);
        var listed = (await api.Http.GetFromJsonAsync<JsonObject>($"v1.0/demo/instances/{withDatabases}/databases?limit=1000"))!["databases"]!
            .AsArray().Select(d => (string)d!["name"]!).ToHashSet();
        Assert.All(databases, d => Assert.Contains(d, listed));
        foreach (var id in new[] { renamed, withDatabases })
            Assert.Equal("ACTIVE", (string?)(await api.ShowAsync("demo", id))!["status"]);
    }
}
