using System.Runtime.Versioning;
using Trove.Tests.Api;
using Trove.Tests.Support;

namespace Trove.Tests.Cluster;

/// <summary>Monotonic reads across nodes: writes through node 0, lists through node 1 (a shared PostgreSQL read model,
/// each node with its own page cache).</summary>
[SupportedOSPlatform("linux")] // as the node is
[Collection("cluster")]
public sealed class MonotonicReadClusterTests
{
    [Fact]
    public async Task Another_node_s_lists_show_every_answered_create_rename_and_delete_at_once()
    {
        await using var cluster = await TroveCluster.StartAsync(2);
        await cluster.WaitForMembersAsync(cluster.Nodes[1], 2, TimeSpan.FromSeconds(60));
        await MonotonicReadTests.CheckAsync(cluster.Nodes[0].Client("monotonic"), cluster.Nodes[1].Client("monotonic"));
    }
}
