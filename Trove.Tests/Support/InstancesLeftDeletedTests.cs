using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Trove.Tests.EndToEnd;

namespace Trove.Tests.Support;

/// <summary>What a class of a shared node's collection leaves on the node is deleted after it (<see cref="InstancesLeftDeleted"/>):
/// no instance of any tenant is listed any more, and their guests and engines stop.</summary>
[Collection("node")]
public sealed class InstancesLeftDeletedTests(NodeFixture fixture)
{
    [Fact]
    public async Task The_instances_a_class_left_are_gone_with_their_guests_and_engines_before_the_next_class()
    {
        var node = fixture.Node;
        var left = (string)(await node.CreateInstanceAsync("other", PostgresInstanceTests.CreateBody("left-running")))["id"]!;
        await node.WaitForStatusAsync("other", left, "ACTIVE", TimeSpan.FromSeconds(120));
        Assert.NotEmpty(node.ProcessesInServers(left));

        await new InstancesLeftDeleted(fixture).DisposeAsync();

        var listed = (await node.Client("admin").GetFromJsonAsync<JsonObject>("v1.0/admin/mgmt/instances?deleted=false&limit=1000"))!["instances"]!.AsArray();
        Assert.True(listed.Count == 0, listed.ToJsonString());
        var deadline = DateTime.UtcNow.AddSeconds(30); // a deleted instance's engine and guest are stopping by now
        while (node.ProcessesInServers(left).Count > 0 && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        Assert.Empty(node.ProcessesInServers(left));
    }
}
