using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Trove.Tests.Support;

namespace Trove.Tests.EndToEnd;

/// <summary>The engine under a running guest killed with SIGKILL (postmaster, mariadbd): the guest reports SHUTDOWN,
/// starts it again by itself, reports HEALTHY, and the rows written before are read back. The instance's journal holds
/// the transitions. On the collection's node: each case kills only its own instance's engine, then deletes it.</summary>
[Collection("second-node")]
public sealed class EngineKillTests(NodeFixture fixture)
{
    [Theory]
    [InlineData("postgresql")]
    [InlineData("mariadb")]
    public async Task A_killed_engine_is_started_again_by_its_guest_and_keeps_its_rows(string datastore)
    {
        var node = fixture.Node;
        var body = datastore == "mariadb" ? MariaDbInstanceTests.CreateBody("maria-engine-kill") : PostgresInstanceTests.CreateBody("pg-engine-kill");
        var id = (string)(await node.CreateInstanceAsync("demo", body))["id"]!;
        var active = await node.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(120));
        await node.WaitForOperatingStatusAsync("demo", id, "HEALTHY", TimeSpan.FromSeconds(60));
        await QueryAsync(active, "CREATE TABLE kept (n int)");
        await QueryAsync(active, "INSERT INTO kept VALUES (1), (2), (3)");
        var engine = EnginePid(node, id, datastore);
        var before = ServiceStatuses(node, id).Count; // before the kill: its shutdown may be journaled at once

        Programs.Signal(engine, "KILL");
        var killed = Stopwatch.StartNew();

        await WaitForHistoryAsync(node, id, before, TimeSpan.FromSeconds(90));
        var recovered = killed.Elapsed;
        await node.WaitForOperatingStatusAsync("demo", id, "HEALTHY", TimeSpan.FromSeconds(30));
        Assert.NotEqual(engine, EnginePid(node, id, datastore));
        Assert.Equal(6L, Convert.ToInt64(await QueryAsync(active, "SELECT sum(n) FROM kept")));
        var guestLog = await File.ReadAllTextAsync(Path.Combine(node.ServersDir, id, "guest.log"));
        Assert.Contains("the engine stopped without being asked; starting it again", guestLog);
        Console.WriteLine($"{datastore} killed: HEALTHY again after {recovered.TotalSeconds:0.0} s");
        await node.Http.DeleteAsync($"v1.0/demo/instances/{id}"); // the shared node runs on without it
    }

    /// <summary>As the instance's tenant user, in its database.</summary>
    private static Task<object?> QueryAsync(JsonObject instance, string sql) =>
        (string?)instance["datastore"]!["type"] == "mariadb"
            ? EngineClient.ScalarAsync(instance, sql, "app", MariaDbInstanceTests.Password, "app_db")
            : EngineClient.ScalarAsync(instance, sql);

    /// <summary>The engine's main process, from the pid file it wrote in the server's directory.</summary>
    private static int EnginePid(TroveNode node, string id, string datastore)
    {
        var file = datastore == "mariadb"
            ? Path.Combine(node.ServersDir, id, "mariadb", "mysqld.pid")
            : Path.Combine(node.ServersDir, id, "postgres", "data", "postmaster.pid");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                return int.Parse(File.ReadLines(file).First().Trim());
            }
            catch (Exception e) when ((e is IOException or FormatException or InvalidOperationException) && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(100); // written again while the engine starts
            }
        }
    }

    /// <summary>Until the instance's journal holds, after its first <paramref name="before"/> statuses, a shutdown then a healthy one.</summary>
    private static async Task WaitForHistoryAsync(TroveNode node, string id, int before, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var statuses = ServiceStatuses(node, id);
            var since = statuses.Skip(before).ToList();
            var shutdown = since.IndexOf("shutdown");
            if (shutdown >= 0 && since.Skip(shutdown + 1).Contains("healthy"))
                return;
            Assert.True(DateTime.UtcNow < deadline, $"the instance's statuses since the kill: {string.Join(" → ", since)}; see {node.DataDir}/node.log and the guest's log");
            await Task.Delay(250);
        }
    }

    /// <summary>The service statuses the instance's entity journaled, in order.</summary>
    private static List<string> ServiceStatuses(TroveNode node, string id)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(node.DataDir, "akka.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT message FROM journal WHERE persistence_id = $id AND manifest = 'instance.service-status-changed.v1' ORDER BY sequence_number";
        command.Parameters.AddWithValue("$id", $"instance-{id}");
        using var reader = command.ExecuteReader();
        var statuses = new List<string>();
        while (reader.Read())
            statuses.Add((string)JsonNode.Parse((byte[])reader[0])!["ServiceStatus"]!);
        return statuses;
    }
}
