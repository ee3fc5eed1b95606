using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using MySqlConnector;
using Npgsql;
using Trove.Actors.Compute;
using Trove.Tests.Support;

namespace Trove.Tests.EndToEnd;

/// <summary>
/// A tenant with root on its engine runs what the engine can (PostgreSQL's <c>COPY ... FROM PROGRAM</c>, MariaDB's
/// <c>LOAD_FILE</c> and <c>INTO OUTFILE</c>) as the engine's OS user: nothing of another instance, of the node or of a
/// completed backup is readable or writable from there, each server runs under a uid of its own, and a deleted
/// instance leaves no OS user. The node runs with a marker in its environment, which no engine may see.
/// </summary>
public sealed class EngineIsolationTests(EngineIsolationTests.MarkedNode fixture) : IClassFixture<EngineIsolationTests.MarkedNode>
{
    private const string NodeSecret = "node-secret-7f3a9c";

    /// <summary>The class's node, shared by its facts (each makes instances of its own).</summary>
    public sealed class MarkedNode : NodeFixture
    {
        protected override IDictionary<string, string> Settings { get; } = new Dictionary<string, string> { ["TROVE_ISOLATION_MARKER"] = NodeSecret };
    }

    private TroveNode Node => fixture.Node;

    private string ServerDir(string id) => Path.Combine(Node.ServersDir, id);

    private async Task<(string Id, JsonObject Active)> CreateActiveAsync(string tenant, string datastore, string version)
    {
        var created = await Node.CreateInstanceAsync(tenant, DatabaseUserRootTests.CreateBody($"{datastore}-isolated", datastore, version));
        var id = (string)created["id"]!;
        return (id, await Node.WaitForStatusAsync(tenant, id, "ACTIVE", TimeSpan.FromSeconds(90)));
    }

    private async Task<string> EnableRootAsync(string tenant, string id)
    {
        var response = await Node.Client(tenant).PostAsync($"v1.0/{tenant}/instances/{id}/root", null);
        response.EnsureSuccessStatusCode();
        return (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["user"]!["password"]!;
    }

    /// <summary>What the node itself guards: every file of its data dir (journal, snapshots, read model, their -wal and
    /// -shm, the token key), the data dir's listing, its own environment.</summary>
    private IReadOnlyList<string> NodeFilesToRead()
    {
        var files = Directory.EnumerateFiles(Node.DataDir).Where(f => !f.EndsWith("node.log")).ToList();
        Assert.Contains(files, f => f.EndsWith("akka.db"));
        Assert.Contains(files, f => f.EndsWith("readmodel.db"));
        Assert.Contains(files, f => f.EndsWith("auth.key"));
        return [.. files, $"/proc/{Node.ProcessId}/environ"];
    }

    /// <summary>What another instance's server holds: its directory's files (guest_info.json with its broker
    /// credentials, the guest's log, the engine's data) and, through the backup storage, its completed backups.</summary>
    private static IReadOnlyList<string> ServerFilesToRead(string serverDir) =>
        Directory.EnumerateFiles(serverDir, "*", SearchOption.AllDirectories).Where(f => !f.Contains("/pg_wal/")).Take(200).ToList();

    [Fact]
    public async Task Postgres_root_runs_programs_that_reach_nothing_of_another_instance_the_node_or_a_backup()
    {
        var a = await CreateActiveAsync("demo", "postgresql", "15");
        var b = await CreateActiveAsync("other", "postgresql", "15");
        var backupOfB = await CompletedBackupAsync("other", b.Id);

        await using var rootOfA = await ConnectAsRootAsync(a.Active, await EnableRootAsync("demo", a.Id));
        await using var rootOfB = await ConnectAsRootAsync(b.Active, await EnableRootAsync("other", b.Id));

        // The probe works: A's engine reads its own server's files.
        Assert.Equal(0, (await RunAsync(rootOfA, $"cat {ServerDir(a.Id)}/guest_info.json")).Exit);

        var uidOfA = int.Parse((await RunAsync(rootOfA, "id -u")).Output.Trim());
        var uidOfB = int.Parse((await RunAsync(rootOfB, "id -u")).Output.Trim());
        Assert.NotEqual(uidOfA, uidOfB);
        Assert.NotEqual(UidOf(Node.ProcessId), uidOfA);
        Assert.Equal(ServerUsers.IdsOf(ServerUsers.NameOf(a.Id))!.Value.Uid, uidOfA);

        var (exit, environment) = await RunAsync(rootOfA, "cat /proc/$PPID/environ /proc/self/environ | tr '\\0' '\\n'; env");
        Assert.Equal(0, exit);
        Assert.DoesNotContain(NodeSecret, environment);
        Assert.DoesNotContain("Trove__", environment);

        foreach (var file in NodeFilesToRead().Concat(ServerFilesToRead(ServerDir(b.Id))).Append(backupOfB))
            Assert.NotEqual(0, (await RunAsync(rootOfA, $"cat {file} >/dev/null")).Exit);
        foreach (var dir in new[] { Node.DataDir, Node.ServersDir, ServerDir(b.Id), Path.Combine(Node.DataDir, "backups") })
        {
            Assert.NotEqual(0, (await RunAsync(rootOfA, $"ls {dir}")).Exit);
            Assert.NotEqual(0, (await RunAsync(rootOfA, $"touch {dir}/written-by-a")).Exit);
        }
        foreach (var file in NodeFilesToRead().Where(f => !f.StartsWith("/proc/")).Append(backupOfB).Append($"{ServerDir(b.Id)}/guest_info.json"))
            Assert.NotEqual(0, (await RunAsync(rootOfA, $"echo x >> {file}")).Exit);
        // A completed backup is root's: not even the guest that took it reads it.
        Assert.NotEqual(0, (await RunAsync(rootOfB, $"cat {backupOfB} >/dev/null")).Exit);

        await DeleteAndAssertNoOsUserAsync("demo", a.Id, uidOfA);
    }

    [Fact]
    public async Task MariaDb_root_reads_and_writes_no_file_of_another_instance_the_node_or_a_backup()
    {
        var a = await CreateActiveAsync("demo", "mariadb", "10.11");
        var b = await CreateActiveAsync("other", "mariadb", "10.11");
        var backupOfB = await CompletedBackupAsync("other", b.Id);
        var password = await EnableRootAsync("demo", a.Id);
        var address = a.Active["addresses"]![0]!;
        await using var root = new MySqlConnection($"Server={address["address"]};Port={address["port"]};User ID=root;Password={password};Pooling=false");
        await root.OpenAsync();

        async Task<object?> ScalarAsync(string sql)
        {
            await using var command = new MySqlCommand(sql, root);
            return await command.ExecuteScalarAsync();
        }

        // The probe works (MariaDB's LOAD_FILE reads only world-readable files, as the node's and B's were before).
        Assert.NotEqual(DBNull.Value, await ScalarAsync("SELECT LOAD_FILE('/etc/passwd')"));
        foreach (var file in NodeFilesToRead().Concat(ServerFilesToRead(ServerDir(b.Id))).Append(backupOfB))
            Assert.Equal(DBNull.Value, await ScalarAsync($"SELECT LOAD_FILE('{file}')"));
        foreach (var dir in new[] { Node.DataDir, Node.ServersDir, ServerDir(b.Id), Path.Combine(Node.DataDir, "backups") })
            await Assert.ThrowsAsync<MySqlException>(() => ScalarAsync($"SELECT 'x' INTO OUTFILE '{dir}/written-by-a'"));

        var uids = new[] { a.Id, b.Id }.Select(id => Node.ProcessesInServers(id).Select(UidOf).Distinct().Single()).ToList();
        Assert.NotEqual(uids[0], uids[1]);
        Assert.DoesNotContain(UidOf(Node.ProcessId), uids);
        Assert.DoesNotContain(NodeSecret, await File.ReadAllTextAsync($"/proc/{Node.ProcessesInServers(a.Id).First()}/environ"));

        await DeleteAndAssertNoOsUserAsync("demo", a.Id, uids[0]);
    }

    private async Task<string> CompletedBackupAsync(string tenant, string instanceId)
    {
        var response = await Node.Client(tenant).PostAsJsonAsync($"v1.0/{tenant}/backups", new { backup = new { name = "isolated", instance = instanceId } });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["backup"]!["id"]!;
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var backup = (await Node.Client(tenant).GetFromJsonAsync<JsonObject>($"v1.0/{tenant}/backups/{id}"))!["backup"]!;
            if ((string?)backup["status"] == "COMPLETED")
            {
                await Node.WaitForStatusAsync(tenant, instanceId, "ACTIVE", TimeSpan.FromSeconds(30));
                var location = (string)backup["locationRef"]!;
                Assert.True(File.Exists(location));
                return location;
            }
            Assert.True((string?)backup["status"] != "FAILED" && DateTime.UtcNow < deadline, backup.ToJsonString());
            await Task.Delay(100);
        }
    }

    private async Task DeleteAndAssertNoOsUserAsync(string tenant, string id, int uid)
    {
        var user = ServerUsers.NameOf(id);
        Assert.NotNull(ServerUsers.IdsOf(user));
        Assert.Equal(HttpStatusCode.Accepted, (await Node.Client(tenant).DeleteAsync($"v1.0/{tenant}/instances/{id}")).StatusCode);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await Node.ShowAsync(tenant, id) is not null && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        Assert.Null(await Node.ShowAsync(tenant, id));
        Assert.Null(ServerUsers.IdsOf(user));
        Assert.DoesNotContain(File.ReadLines("/etc/group"), l => l.StartsWith(user + ":"));
        Assert.Empty(ServerUsers.ProcessesOf(uid));
    }

    private static async Task<NpgsqlConnection> ConnectAsRootAsync(JsonObject instance, string password)
    {
        var address = instance["addresses"]![0]!;
        var connection = new NpgsqlConnection($"Host={address["address"]};Port={address["port"]};Username=root;Password={password};Database=postgres;Pooling=false;Timeout=5");
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>Runs a shell command as the engine's OS user through <c>COPY ... FROM PROGRAM</c>; its output comes back
    /// base64-encoded (COPY's text format would split it on tabs) with its exit code.</summary>
    private static async Task<(int Exit, string Output)> RunAsync(NpgsqlConnection root, string shell)
    {
        var script = $"{{ {shell} ; }} 2>&1; echo \"exit=$?\"";
        var program = $"sh -c '{script.Replace("'", "'\\''")}' | base64 -w0";
        await using (var setup = new NpgsqlCommand("CREATE TEMP TABLE IF NOT EXISTS probe (line text); TRUNCATE probe", root))
            await setup.ExecuteNonQueryAsync();
        await using (var copy = new NpgsqlCommand($"COPY probe FROM PROGRAM '{program.Replace("'", "''")}'", root))
            await copy.ExecuteNonQueryAsync();
        await using var read = new NpgsqlCommand("SELECT string_agg(line, '') FROM probe", root);
        var output = Encoding.UTF8.GetString(Convert.FromBase64String((string)(await read.ExecuteScalarAsync())!));
        var marker = output.LastIndexOf("exit=", StringComparison.Ordinal);
        return (int.Parse(output[(marker + 5)..].Trim()), output[..marker]);
    }

    private static int UidOf(int pid) =>
        int.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Uid:")).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1]);
}
