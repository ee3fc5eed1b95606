using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Trove.Actors.WalArchive;

namespace Trove.Tests.Backups;

public class WalArchiveGrantActorSpec() : Akka.TestKit.Xunit2.TestKit(ConfigurationFactory.ParseString("akka.loglevel = WARNING"))
{
    /// <summary>A grants double for this spec only: each grant waits for the spec to finish it.</summary>
    private sealed class PendingGrants(TimeSpan renewAfter) : IWalArchiveGrants
    {
        public ConcurrentQueue<TaskCompletionSource> Asked { get; } = new();

        public TimeSpan RenewAfter => renewAfter;

        public Task GrantAsync(string tenantId, string instanceId, CancellationToken ct)
        {
            var grant = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Asked.Enqueue(grant);
            return grant.Task;
        }
    }

    private static readonly WalArchiveGrantActor.Heard Heartbeat = new("t1", Guid.NewGuid().ToString());

    [Fact]
    public void The_first_heartbeat_grants_and_the_next_ones_do_not_until_the_grant_is_half_way_to_expiring()
    {
        var grants = new PendingGrants(TimeSpan.FromHours(6));
        var actor = Sys.ActorOf(WalArchiveGrantActor.Props(grants));
        actor.Tell(Heartbeat);
        actor.Tell(Heartbeat); // while the first is granted
        AwaitCondition(() => grants.Asked.Count == 1);
        grants.Asked.Single().SetResult();
        for (var i = 0; i < 10; i++)
            actor.Tell(Heartbeat);
        Assert.True(Handled(actor));
        Assert.Single(grants.Asked);
    }

    /// <summary>Whether the actor handled what was sent to it before: it answers an Identify in its mailbox's order.</summary>
    private static bool Handled(IActorRef actor) => actor.Ask<ActorIdentity>(new Identify(null), TimeSpan.FromSeconds(3)).Result is not null;

    [Fact]
    public void A_grant_that_failed_is_tried_again_at_the_next_heartbeat_and_one_past_renewal_is_renewed()
    {
        var grants = new PendingGrants(TimeSpan.Zero);
        var actor = Sys.ActorOf(WalArchiveGrantActor.Props(grants));
        actor.Tell(Heartbeat);
        AwaitCondition(() => grants.Asked.Count == 1);
        grants.Asked.Last().SetException(new HttpRequestException("object storage is down"));
        AwaitAssert(() =>
        {
            actor.Tell(Heartbeat);
            Assert.Equal(2, grants.Asked.Count);
        });
        grants.Asked.Last().SetResult();
        AwaitAssert(() =>
        {
            actor.Tell(Heartbeat);
            Assert.Equal(3, grants.Asked.Count);
        });
    }
}
