using System.Text.Json.Nodes;
using Trove.Actors.Guests;
using Trove.Actors.Instances;
using Trove.Contracts.Guests;

namespace Trove.Tests.Instances;

public class GuestActionActorSpec : Akka.TestKit.Xunit2.TestKit
{
    /// <summary>A guest double for this spec only: answers calls, or fails them.</summary>
    private sealed class Guest(Exception? failure) : IGuestRpc
    {
        public Task CastAsync(string instanceId, RpcMessage message, CancellationToken ct = default) => Task.CompletedTask;
        public Task DeleteQueueAsync(string instanceId, CancellationToken ct = default) => Task.CompletedTask;
        public Task<GuestCredentials> GrantBrokerUserAsync(string instanceId, CancellationToken ct = default) => throw new NotSupportedException();
        public Task DeleteBrokerUserAsync(string instanceId, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<JsonNode?> CallAsync(string instanceId, RpcMessage message, TimeSpan timeout, CancellationToken ct = default) =>
            failure is null ? Task.FromResult<JsonNode?>(null) : Task.FromException<JsonNode?>(failure);
    }

    [Fact]
    public void The_action_tells_its_parent_it_ended_and_stops()
    {
        var child = ChildActorOf(GuestActionActor.Props("i1", RpcMessage.Create(GuestMethods.Restart, new { }), TimeSpan.FromSeconds(5), new Guest(null)));
        Watch(child);
        Assert.Equal(new GuestActionActor.Ended(GuestMethods.Restart, null), ExpectMsg<GuestActionActor.Ended>());
        ExpectTerminated(child);
    }

    [Fact]
    public void A_failed_or_timed_out_call_ends_the_action_with_why()
    {
        ChildActorOf(GuestActionActor.Props("i1", RpcMessage.Create(GuestMethods.Resize, new { }), TimeSpan.FromSeconds(5),
            new Guest(new TimeoutException("no reply to 'resize'"))));
        var ended = ExpectMsg<GuestActionActor.Ended>();
        Assert.Equal(GuestMethods.Resize, ended.Action);
        Assert.Contains("no reply", ended.Failure);
    }
}
