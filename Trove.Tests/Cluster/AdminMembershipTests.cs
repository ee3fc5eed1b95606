using Trove.Actors.Admin;
using Trove.Tests.Support;
using Trove.Contracts.Admin;

namespace Trove.Tests.Cluster;

/// <summary>The commands that change membership: down-unreachable, join, leave (and down of a non-member).</summary>
[Collection("cluster")]
public sealed class AdminMembershipTests
{
    [Fact]
    public async Task An_operator_downs_a_dead_node_joins_a_new_one_and_makes_it_leave()
    {
        // The split-brain resolver is held back, so that downing is the operator's doing.
        await using var cluster = await TroveCluster.StartAsync(2, new Dictionary<string, string> { ["Trove__DownUnreachableAfter"] = "00:10:00" });
        var node0 = cluster.Nodes[0];
        var address1 = cluster.AkkaAddress(1);

        await cluster.Nodes[1].KillAsync();
        await WaitUntilAsync(async () => (await node0.AdminAsync("cluster", "show")).Output.Contains("unreachable"));
        var downed = await TroveAdminCli.RunAsync(node0, "cluster", "down-unreachable");
        Assert.Equal(AdminExit.Ok, downed.Exit);
        Assert.Contains($"downed: {address1}", downed.Stdout);
        await cluster.WaitForMembersAsync(node0, 1, TimeSpan.FromSeconds(30));
        Assert.Equal("no unreachable members\n", (await TroveAdminCli.RunAsync(node0, "cluster", "down-unreachable")).Stdout);

        // A node whose seed is not there stays outside any cluster until told where to join.
        var node1 = await cluster.StartNodeAsync(1, settings =>
        {
            settings.Remove("Trove__SeedNodes__1");
            settings["Trove__SeedNodes__0"] = $"akka.tcp://trove@127.0.0.1:{TroveNode.FreePort()}";
        });
        Assert.Empty(TroveCluster.MemberRows((await node1.AdminAsync("cluster", "show")).Output));
        var joined = await TroveAdminCli.RunAsync(node1, "cluster", "join", cluster.AkkaAddress(0).Replace("akka.tcp://trove@", ""));
        Assert.Equal(AdminExit.Ok, joined.Exit);
        Assert.Contains($"joining: {cluster.AkkaAddress(0)}", joined.Stdout);
        await cluster.WaitForMembersAsync(node0, 2, TimeSpan.FromSeconds(60));

        var left = await TroveAdminCli.RunAsync(node0, "cluster", "leave", address1);
        Assert.Equal(AdminExit.Ok, left.Exit);
        Assert.Contains($"leaving: {address1}", left.Stdout);
        await cluster.WaitForMembersAsync(node0, 1, TimeSpan.FromSeconds(60));
        Assert.True(await node1.WaitForExitAsync(TimeSpan.FromSeconds(60)), "a node that left the cluster stops");
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(200);
        }
    }
}
