using Trove.Tests.Support;

namespace Trove.Tests.EndToEnd;

/// <summary><c>openstack database instance eject</c> through the upstream client on a node of its own: the source's
/// guest must stay dead (no restart by the reconciler) and its silence be noticed soon, which a shared node must not do.</summary>
public sealed class UpstreamClientEjectTests
{
    [Fact]
    public async Task A_replica_of_a_source_that_died_becomes_the_source_by_the_clients_eject()
    {
        await using var node = await TroveNode.StartAsync(TroveNode.NewDataDir(), new Dictionary<string, string>
        {
            ["Trove__Instances__HeartbeatExpiry"] = "00:00:05",
            ["Trove__Reconcile__RestartGrace"] = "00:30:00",
        });
        await using var zygote = await ClientZygote.StartAsync();
        var failure = await ClientSession.RunAsync(node.BaseAddress, "client-eject-scenario.sh",
            new() { ["SERVERS_DIR"] = node.ServersDir }, zygote);
        Assert.True(failure is null, failure);
    }
}
