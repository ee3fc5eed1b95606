using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Trove.Tests.Support;

namespace Trove.Tests.EndToEnd;

/// <summary>The walking skeleton on the real stack: node, RabbitMQ, a guest process and its PostgreSQL.</summary>
[Collection("node")]
public sealed class PostgresInstanceTests(NodeFixture fixture)
{
    public const string Password = EngineClient.AppPassword;
    private TroveNode Node => fixture.Node;

    public static object CreateBody(string name) => new
    {
        instance = new
        {
            name,
            flavorRef = "small",
            volume = new { size = 1 },
            datastore = new { type = "postgresql", version = "15" },
            databases = new[] { new { name = "appdb" } },
            users = new[] { new { name = "app", password = Password, databases = new[] { new { name = "appdb" } } } },
        },
    };

    public static async Task<int> QueryAsAppAsync(JsonObject instance) =>
        Convert.ToInt32(await EngineClient.ScalarAsync(instance, "CREATE TABLE IF NOT EXISTS t (n int); INSERT INTO t VALUES (41); SELECT max(n) + 1 FROM t"));

    private static int InotifyWatches(int pid) =>
        Directory.EnumerateFiles($"/proc/{pid}/fdinfo").Sum(fd =>
        {
            try { return File.ReadLines(fd).Count(line => line.StartsWith("inotify")); }
            catch (IOException) { return 0; } // a descriptor closed meanwhile
        });

    [Fact]
    public async Task Create_reaches_active_the_user_connects_and_delete_leaves_nothing_behind()
    {
        var created = await Node.CreateInstanceAsync("demo", CreateBody("pg-e2e"));
        var id = (string)created["id"]!;
        Assert.Equal("BUILD", (string?)created["status"]);

        var active = await Node.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(90));
        Assert.Equal("HEALTHY", (string?)active["operating_status"]);
        // An address of its own, on the standard port, as on a VM; never the machine's own 127.0.0.1.
        var address = (string)active["ip"]![0]!;
        Assert.True(System.Net.IPNetwork.Parse("127.42.0.0/16").Contains(System.Net.IPAddress.Parse(address)), address);
        Assert.Equal(address, (string?)active["addresses"]![0]!["address"]);
        Assert.Equal(5432, (int)active["addresses"]![0]!["port"]!);
        // Its data is the node's pristine copy, not an initdb of its own.
        Assert.Contains(File.ReadLines(Path.Combine(Node.ServersDir, id, "guest.log")), l => l.Contains("initialised from the server's pristine copy"));
        // Its template is where Trove:Compute:PristineDirectory puts it (the run's, TroveNode.SharedPristineDirectory), and
        // then not beside the node's servers, where it is by default.
        var besideServers = Node.ServersDir + ".pristine";
        Assert.Single(Directory.GetDirectories(TroveNode.SharedPristineDirectory ?? besideServers, "postgresql-15.?"));
        Assert.Equal(TroveNode.SharedPristineDirectory is null, Directory.Exists(besideServers));
        // The guest reads no configuration files, so nothing of it watches the server's directory, where the engine writes.
        Assert.Equal(0, InotifyWatches(Node.GuestPid(id)));
        Assert.Equal(42, await QueryAsAppAsync(active));
        Assert.True((double)(await Node.ShowAsync("demo", id))!["volume"]!["used"]! > 0); // a PostgreSQL cluster takes some 40 MB

        var listed = await Node.Http.GetFromJsonAsync<JsonObject>("v1.0/demo/instances");
        Assert.Contains(listed!["instances"]!.AsArray(), i => (string?)i!["id"] == id);
        Assert.Null(await Node.ShowAsync("other", id)); // another tenant's token: not found, never its data

        // A password of every kind: at create (above), a new user's, changed alone and in a list, root's, generated, and
        // one sent for a reserved role, which PostgreSQL refuses and would log with its whole statement.
        string[] passwords = [Password, "pw-new-user-41", "pw-changed-42", "pw-changed-in-list-43", await EnableRootAsync(id), "pw-refused-44"];
        var path = $"v1.0/demo/instances/{id}/users";
        await Node.Http.PostAsJsonAsync(path, new { users = new[] { new { name = "pg_monitor", password = passwords[5] } } });
        Assert.Equal(HttpStatusCode.Accepted, (await Node.Http.PostAsJsonAsync(path, new { users = new[] { new { name = "second", password = passwords[1] } } })).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await Node.Http.PutAsJsonAsync($"{path}/second", new { user = new { password = passwords[2] } })).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await Node.Http.PutAsJsonAsync(path, new { users = new[] { new { name = "second", password = passwords[3] } } })).StatusCode);
        Assert.Equal(1, Convert.ToInt32(await EngineClient.ScalarAsync(active, "SELECT 1", "second", passwords[3], "postgres")));
        AssertNeverStored(passwords);

        Assert.Equal(HttpStatusCode.Accepted, (await Node.Http.DeleteAsync($"v1.0/demo/instances/{id}")).StatusCode);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await Node.ShowAsync("demo", id) is not null && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        Assert.Null(await Node.ShowAsync("demo", id));
        Assert.Empty(Node.ProcessesInServers(id));
        Assert.False(Directory.Exists(Path.Combine(Node.ServersDir, id)));
        await Assert.ThrowsAnyAsync<Exception>(() => QueryAsAppAsync(active));
    }

    /// <summary>The node's reconciler would remove a server no instance owns only after its orphan grace (2 minutes): here
    /// the delete itself must end the server whose creation was in flight.</summary>
    [Fact]
    public async Task A_delete_during_the_build_ends_the_server_being_made_and_leaves_nothing_behind()
    {
        var id = (string)(await Node.CreateInstanceAsync("demo", CreateBody("pg-early-delete")))["id"]!;
        Assert.Equal(HttpStatusCode.Accepted, (await Node.Http.DeleteAsync($"v1.0/demo/instances/{id}")).StatusCode);

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await Node.LeftOfDeletedAsync("demo", id) is { } left)
        {
            Assert.True(DateTime.UtcNow < deadline, $"instance {id} left {left} behind; see {Node.DataDir}/node.log");
            await Task.Delay(250);
        }
    }

    private async Task<string> EnableRootAsync(string id)
    {
        var root = await (await Node.Http.PostAsync($"v1.0/demo/instances/{id}/root", null)).Content.ReadFromJsonAsync<JsonObject>();
        return (string)root!["user"]!["password"]!;
    }

    /// <summary>Passwords reach the guest through its queue only: never the journal, snapshots, the read model, or the
    /// node's, the guest's or the engine's log.</summary>
    private void AssertNeverStored(IReadOnlyList<string> passwords)
    {
        var files = Directory.EnumerateFiles(Node.DataDir, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".db") || f.EndsWith(".db-wal") || f.EndsWith(".log"))
            .ToList();
        Assert.Contains(files, f => f.EndsWith("akka.db"));
        Assert.Contains(files, f => f.EndsWith("readmodel.db"));
        Assert.Contains(files, f => f.EndsWith("node.log"));
        Assert.Contains(files, f => f.EndsWith("guest.log"));
        foreach (var file in files)
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            var text = reader.ReadToEnd();
            foreach (var password in passwords)
                Assert.False(text.Contains(password), $"{file} holds a password");
        }
    }
}
