using Trove.Contracts.Guests;
using Trove.Tests.EndToEnd;

namespace Trove.Tests.Support;

/// <summary>A test node disposed with an instance still running leaves nothing in the broker: its guest's queue and user
/// and the node's conductor queue go with it. Durable queues left by every run pile up until the broker, which needs a
/// file handle for each one it recovers, no longer starts.</summary>
[Collection("node")]
public sealed class TestLeftoversTests
{
    [Fact]
    public async Task A_disposed_node_leaves_no_queue_or_broker_user_behind()
    {
        var node = await TroveNode.StartAsync(TroveNode.NewDataDir());
        string id, conductorQueue;
        try
        {
            id = (string)(await node.CreateInstanceAsync("demo", PostgresInstanceTests.CreateBody("leftovers")))["id"]!;
            await node.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(120));
            conductorQueue = TroveNode.ConductorQueueOf(node.DataDir);
            Assert.True(await ExistsAsync($"queues/%2F/{TroveBroker.GuestQueue(id)}"));
            Assert.True(await ExistsAsync($"queues/%2F/{conductorQueue}"));
        }
        finally
        {
            await node.DisposeAsync();
        }

        Assert.False(await ExistsAsync($"queues/%2F/{TroveBroker.GuestQueue(id)}"));
        Assert.False(await ExistsAsync($"users/{TroveBroker.GuestUser(id)}"));
        Assert.False(await ExistsAsync($"queues/%2F/{conductorQueue}"));
    }

    private static async Task<bool> ExistsAsync(string path)
    {
        using var management = TestBroker.ManagementClient();
        return (await management.GetAsync($"api/{path}")).IsSuccessStatusCode;
    }
}
