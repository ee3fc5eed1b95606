using MySqlConnector;
using Trove.Tests.Support;

namespace Trove.Tests.EndToEnd;

/// <summary>A MariaDB replica set changing its source on the real stack, as PostgreSQL's does
/// (<see cref="PostgresPromotionTests"/>): GTID positions, the old source fenced by a clean shutdown after its replicas
/// had its last event, and followers moved by GTID.</summary>
[Collection("node")]
public sealed class MariaDbPromotionTests(NodeFixture fixture)
{
    [Fact]
    public Task Promote_hands_the_source_over_under_a_write_loop_without_losing_an_acknowledged_row_and_the_old_source_follows() =>
        Sets(fixture.Node).SwitchOverUnderAWriteLoopAsync(MariaDbInstanceTests.CreateBody("maria-switch"), "maria-switch", RefusedAsReadOnly);

    [Fact]
    public async Task Eject_promotes_the_most_advanced_replica_of_a_source_that_is_gone_and_the_other_replica_follows_it()
    {
        await using var node = await ReplicaSets.StartNodeForFailoverAsync();
        await Sets(node).FailOverAsync(MariaDbInstanceTests.CreateBody("maria-eject"), "maria-eject", "mariadb/mysqld.pid", RefusedAsReadOnly);
    }

    private static ReplicaSets Sets(TroveNode node) =>
        new(node, (instance, sql) => EngineClient.ScalarAsync(instance, sql, password: MariaDbInstanceTests.Password, database: "app_db"));

    private static async Task RefusedAsReadOnly(Func<Task> write) =>
        Assert.Equal(MySqlErrorCode.OptionPreventsStatement, (await Assert.ThrowsAsync<MySqlException>(write)).ErrorCode);
}
