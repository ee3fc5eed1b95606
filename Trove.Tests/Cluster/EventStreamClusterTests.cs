using System.Diagnostics;
using System.Net;
using System.Runtime.Versioning;
using Trove.Tests.EndToEnd;
using Trove.Tests.Support;

namespace Trove.Tests.Cluster;

/// <summary>The live stream reads the shared journal, not a node's own events: a stream on node 1 sees a change made
/// through node 0, keeps itself alive while nothing happens, and does not hold its node up when the node stops.</summary>
[SupportedOSPlatform("linux")] // as the node is
[Collection("cluster")]
public sealed class EventStreamClusterTests
{
    private const string Tenant = "events";

    [Fact]
    public async Task A_stream_on_one_node_sees_a_change_made_through_another_and_ends_when_its_node_stops()
    {
        await using var cluster = await TroveCluster.StartAsync(2, new Dictionary<string, string> { ["Trove__EventStreamKeepAlive"] = "00:00:01" });
        await cluster.WaitForMembersAsync(cluster.Nodes[1], 2, TimeSpan.FromSeconds(60));
        var (a, b) = (cluster.Nodes[0], cluster.Nodes[1]);

        await using var stream = await EventStreamClient.OpenAsync(b.Client(Tenant), $"v1.0/{Tenant}/events/stream");
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        Assert.Equal("keep-alive", (await stream.NextAsync(TimeSpan.FromSeconds(30))).Comment);

        var id = (string)(await a.CreateInstanceAsync(Tenant, DatabaseUserRootTests.CreateBody("across", "postgresql", "15")))["id"]!;
        var created = await stream.UntilAsync(m => m.EntityId == id, TimeSpan.FromSeconds(60));
        Assert.Equal(("created", "BUILD"), (created[^1].Type, created[^1].Status));
        Assert.Equal(HttpStatusCode.Accepted, (await a.Client(Tenant).DeleteAsync($"v1.0/{Tenant}/instances/{id}")).StatusCode);
        Assert.Equal("DELETED", (await stream.UntilAsync(m => m.EntityId == id && m.Type == "deleted", TimeSpan.FromSeconds(120)))[^1].Status);

        // The stream is still open when its node is told to stop: the node ends it rather than waiting for the client
        // (its shutdown allows HTTP requests 90 s).
        var stopping = Stopwatch.StartNew();
        var stopped = b.StopAsync();
        Assert.True(await b.WaitForExitAsync(TimeSpan.FromSeconds(45)), "the node did not stop with a stream open");
        await stopped;
        await stream.Ended.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(45));
    }
}
