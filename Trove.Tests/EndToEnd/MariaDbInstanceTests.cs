using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MySqlConnector;
using Trove.Tests.Support;

namespace Trove.Tests.EndToEnd;

/// <summary>A MariaDB 10.11 instance on the real stack: node, RabbitMQ, a guest process and its own mariadbd.</summary>
[Collection("node")]
public sealed class MariaDbInstanceTests(NodeFixture fixture)
{
    public const string Password = "m4ria-'pw\\e2e";
    private TroveNode Node => fixture.Node;

    public static object CreateBody(string name) => new
    {
        instance = new
        {
            name,
            flavorRef = "small",
            volume = new { size = 1 },
            datastore = new { type = "mariadb", version = "10.11" },
            databases = new[] { new { name = "app_db" } },
            users = new[] { new { name = "app", password = Password, databases = new[] { new { name = "app_db" } } } },
        },
    };

    public static async Task<long> QueryAsAppAsync(JsonObject instance)
    {
        var address = instance["addresses"]![0]!;
        var builder = new MySqlConnectionStringBuilder
        {
            Server = (string)address["address"]!, Port = (uint)(int)address["port"]!, UserID = "app", Password = Password,
            Database = "app_db", Pooling = false, ConnectionTimeout = 5,
        };
        await using var db = new MySqlConnection(builder.ConnectionString);
        await db.OpenAsync();
        await using var command = new MySqlCommand(
            "CREATE TABLE IF NOT EXISTS t (n int); INSERT INTO t VALUES (41); SELECT max(n) + 1 FROM t", db);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Create_reaches_active_the_user_connects_and_delete_leaves_nothing_behind()
    {
        var created = await Node.CreateInstanceAsync("demo", CreateBody("mariadb-e2e"));
        var id = (string)created["id"]!;
        Assert.Equal("BUILD", (string?)created["status"]);
        Assert.Equal("mariadb", (string?)created["datastore"]!["type"]);

        var active = await Node.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(90));
        Assert.Equal("HEALTHY", (string?)active["operating_status"]);
        Assert.Equal(42, await QueryAsAppAsync(active));
        Assert.Contains(Node.ProcessesInServers(id), pid => File.ReadAllText($"/proc/{pid}/cmdline").StartsWith("mariadbd"));
        // troveclient's instances.configuration(): the server's effective values of what its options set, as strings.
        var configuration = (await Node.Http.GetFromJsonAsync<JsonObject>($"v1.0/demo/instances/{id}/configuration"))!["instance"]!["configuration"]!;
        Assert.Equal(active["addresses"]![0]!["port"]!.ToString(), (string?)configuration["port"]);

        Assert.Equal(HttpStatusCode.Accepted, (await Node.Http.DeleteAsync($"v1.0/demo/instances/{id}")).StatusCode);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await Node.ShowAsync("demo", id) is not null && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        Assert.Equal(HttpStatusCode.NotFound, (await Node.Http.GetAsync($"v1.0/demo/instances/{id}")).StatusCode);
        Assert.Empty(Node.ProcessesInServers(id));
        Assert.False(Directory.Exists(Path.Combine(Node.ServersDir, id)));
        await Assert.ThrowsAnyAsync<Exception>(() => QueryAsAppAsync(active));
    }
}
