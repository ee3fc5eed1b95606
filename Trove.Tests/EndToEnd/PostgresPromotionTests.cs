using Npgsql;
using Trove.Tests.Support;

namespace Trove.Tests.EndToEnd;

/// <summary>A replica set changing its source on the real stack: a switchover (promote_to_replica_source) under a write
/// loop, and a failover (eject_replica_source) after the source's guest and engine were killed.</summary>
[Collection("node")]
public sealed class PostgresPromotionTests(NodeFixture fixture)
{
    [Fact]
    public Task Promote_hands_the_source_over_under_a_write_loop_without_losing_an_acknowledged_row_and_the_old_source_follows() =>
        Sets(fixture.Node).SwitchOverUnderAWriteLoopAsync(PostgresInstanceTests.CreateBody("pg-switch"), "pg-switch", RefusedAsReadOnly);

    [Fact]
    public async Task Eject_promotes_the_most_advanced_replica_of_a_source_that_is_gone_and_the_other_replica_follows_it()
    {
        await using var node = await ReplicaSets.StartNodeForFailoverAsync();
        await Sets(node).FailOverAsync(PostgresInstanceTests.CreateBody("pg-eject"), "pg-eject", "postgres/data/postmaster.pid", RefusedAsReadOnly);
    }

    private static ReplicaSets Sets(TroveNode node) => new(node, (instance, sql) => EngineClient.ScalarAsync(instance, sql));

    private static async Task RefusedAsReadOnly(Func<Task> write) =>
        Assert.Equal(PostgresErrorCodes.ReadOnlySqlTransaction, (await Assert.ThrowsAsync<PostgresException>(write)).SqlState);
}
