using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Trove.Tests.Support;

namespace Trove.Tests.EndToEnd;

/// <summary>Backups with the engine's own tool into the backup storage, and restores into new instances.</summary>
[Collection("node")]
public sealed class BackupRestoreTests(NodeFixture fixture)
{
    private TroveNode Node => fixture.Node;

    private Task<JsonObject> CreateBackupAsync(string instanceId, string name) => Node.CreateBackupAsync("demo", instanceId, name);

    private Task<JsonObject> WaitForBackupAsync(string id, string status) => Node.WaitForBackupAsync("demo", id, status);

    internal static object RestoreBody(string name, string backupId, string datastore = "postgresql") => new
    {
        instance = new { name, flavorRef = "small", volume = new { size = 1 }, datastore = new { type = datastore }, restorePoint = new { backupRef = backupId } },
    };

    [Theory]
    [InlineData("postgresql", "15", "CREATE TABLE kept (n int); INSERT INTO kept SELECT generate_series(1, 1000); SELECT 1")]
    [InlineData("mariadb", "10.11", "CREATE TABLE kept (n int); INSERT INTO kept SELECT seq FROM seq_1_to_1000; SELECT 1")]
    public async Task A_backup_restores_into_a_new_instance_with_the_same_rows_and_a_corrupt_one_fails_clearly(string datastore, string version, string fill)
    {
        var source = await Node.CreateInstanceAsync("demo", DatabaseUserRootTests.CreateBody($"{datastore}-backup-source", datastore, version));
        var sourceId = (string)source["id"]!;
        var active = await Node.WaitForStatusAsync("demo", sourceId, "ACTIVE", TimeSpan.FromSeconds(90));
        await EngineClient.ScalarAsync(active, fill);

        // One backup at a time per instance. A small dump can finish before a second, later request
        // arrives, so both are sent at once: the instance takes one and refuses the other.
        var both = await Task.WhenAll(
            Node.Http.PostAsJsonAsync("v1.0/demo/backups", new { backup = new { name = "b1", instance = sourceId } }),
            Node.Http.PostAsJsonAsync("v1.0/demo/backups", new { backup = new { name = "b2", instance = sourceId } }));
        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Conflict], both.Select(r => r.StatusCode).Order());
        var backup = (await both.Single(r => r.StatusCode == HttpStatusCode.Accepted).Content.ReadFromJsonAsync<JsonObject>())!["backup"]!.AsObject();
        Assert.Equal("NEW", (string?)backup["status"]);
        // Upstream's view, which the client's backup create/show/list read: the project and the version's catalog id.
        var versionId = (string?)(await Node.Http.GetFromJsonAsync<JsonObject>($"v1.0/demo/datastores/{datastore}/versions/{version}"))!["version"]!["id"];
        Assert.Equal("demo", (string?)backup["project_id"]);
        Assert.Equal(versionId, (string?)backup["datastore"]!["version_id"]);
        Assert.NotNull(versionId);
        Assert.True(backup.ContainsKey("parent_id"));

        var completed = await WaitForBackupAsync((string)backup["id"]!, "COMPLETED");
        Assert.True((double)completed["size"]! > 0);
        Assert.True(File.Exists((string)completed["locationRef"]!));
        await Node.WaitForStatusAsync("demo", sourceId, "ACTIVE", TimeSpan.FromSeconds(10));
        // Lists read the read model, which follows the journal within moments.
        var listDeadline = DateTime.UtcNow.AddSeconds(10);
        JsonArray listed;
        do
        {
            listed = (await Node.Http.GetFromJsonAsync<JsonObject>($"v1.0/demo/instances/{sourceId}/backups"))!["backups"]!.AsArray();
        } while (listed.All(b => (string?)b!["status"] != "COMPLETED") && DateTime.UtcNow < listDeadline && await Task.Delay(100).ContinueWith(_ => true));
        Assert.Contains(listed, b => (string?)b!["id"] == (string)backup["id"]! && (string?)b["status"] == "COMPLETED");
        var inList = (await Node.Http.GetFromJsonAsync<JsonObject>("v1.0/demo/backups"))!["backups"]!.AsArray().Single(b => (string?)b!["id"] == (string)backup["id"]!)!;
        Assert.Equal("demo", (string?)inList["project_id"]);
        Assert.Equal(versionId, (string?)inList["datastore"]!["version_id"]);
        Assert.Equal(versionId, (string?)completed["datastore"]!["version_id"]);

        var restored = await Node.CreateInstanceAsync("demo", RestoreBody($"{datastore}-restored", (string)backup["id"]!, datastore));
        var restoredActive = await Node.WaitForStatusAsync("demo", (string)restored["id"]!, "ACTIVE", TimeSpan.FromSeconds(90));
        Assert.Equal(1000L, Convert.ToInt64(await EngineClient.ScalarAsync(restoredActive, "SELECT count(*) FROM kept")));
        Assert.NotEqual(active["addresses"]![0]!["address"]!.ToJsonString(), restoredActive["addresses"]![0]!["address"]!.ToJsonString());

        // A backup whose file was damaged is refused by the guest's checksum check, with a clear fault.
        var damaged = await WaitForBackupAsync((string)(await CreateBackupAsync(sourceId, "b3"))["id"]!, "COMPLETED");
        await using (var file = File.OpenWrite((string)damaged["locationRef"]!))
        {
            file.Seek(100, SeekOrigin.Begin);
            file.Write("corruption"u8);
        }
        var broken = await Node.CreateInstanceAsync("demo", RestoreBody($"{datastore}-broken", (string)damaged["id"]!, datastore));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        JsonObject shown;
        do
        {
            await Task.Delay(200);
            shown = (await Node.ShowAsync("demo", (string)broken["id"]!))!;
        } while ((string?)shown["status"] != "ERROR" && DateTime.UtcNow < deadline);
        Assert.Equal("ERROR", (string?)shown["status"]);
        Assert.Contains("corrupt", (string?)shown["fault"]!["message"]);

        // Deleting a backup removes its file.
        Assert.Equal(HttpStatusCode.Accepted, (await Node.Http.DeleteAsync($"v1.0/demo/backups/{backup["id"]}")).StatusCode);
        Assert.False(File.Exists((string)completed["locationRef"]!));
        Assert.Equal(HttpStatusCode.NotFound, (await Node.Http.GetAsync($"v1.0/demo/backups/{backup["id"]}")).StatusCode);

        foreach (var id in new[] { sourceId, (string)restored["id"]!, (string)broken["id"]! })
            await Node.Http.DeleteAsync($"v1.0/demo/instances/{id}");
    }

    [Fact]
    public async Task A_mariadb_increment_restores_the_rows_of_its_whole_chain_and_its_parent_cannot_go_before_it()
    {
        var source = await Node.CreateInstanceAsync("demo", DatabaseUserRootTests.CreateBody("mariadb-incremental", "mariadb", "10.11"));
        var sourceId = (string)source["id"]!;
        var active = await Node.WaitForStatusAsync("demo", sourceId, "ACTIVE", TimeSpan.FromSeconds(90));
        await EngineClient.ScalarAsync(active, "CREATE TABLE kept (n int); INSERT INTO kept SELECT seq FROM seq_1_to_1000; SELECT 1");
        var full = await WaitForBackupAsync((string)(await CreateBackupAsync(sourceId, "full"))["id"]!, "COMPLETED");
        await Node.WaitForStatusAsync("demo", sourceId, "ACTIVE", TimeSpan.FromSeconds(10));

        await EngineClient.ScalarAsync(active, "INSERT INTO kept SELECT seq FROM seq_1001_to_1500; SELECT 1");
        // "incremental" builds on the instance's latest completed backup, as the read model (moments behind) lists it.
        var listed = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < listed && !(await Node.Http.GetFromJsonAsync<JsonObject>($"v1.0/demo/backups?instance_id={sourceId}"))!["backups"]!
                   .AsArray().Any(b => (string?)b!["status"] == "COMPLETED"))
            await Task.Delay(100);
        var response = await Node.Http.PostAsJsonAsync("v1.0/demo/backups", new { backup = new { name = "increment", instance = sourceId, incremental = true } });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var increment = await WaitForBackupAsync((string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["backup"]!["id"]!, "COMPLETED");
        Assert.Equal((string)full["id"]!, (string?)increment["parent_id"]);
        Assert.True((double)increment["size"]! < (double)full["size"]!);

        // the instance's entity asks the backup for its chain: one of another datastore is refused, and nothing is created
        var intoPostgres = await Node.Http.PostAsJsonAsync("v1.0/demo/instances", RestoreBody("pg-from-mariadb", (string)increment["id"]!));
        Assert.Equal(HttpStatusCode.BadRequest, intoPostgres.StatusCode);
        Assert.Equal($"Backup {increment["id"]} is of mariadb; it cannot be restored into postgresql.",
            (string?)(await intoPostgres.Content.ReadFromJsonAsync<JsonObject>())!["badRequest"]!["message"]);
        // another tenant's backup is not found, as a missing one is
        var otherTenant = await Node.Client("other").PostAsJsonAsync("v1.0/other/instances", RestoreBody("not-mine", (string)increment["id"]!, "mariadb"));
        Assert.Equal(HttpStatusCode.NotFound, otherTenant.StatusCode);

        var restored = await Node.CreateInstanceAsync("demo", RestoreBody("mariadb-from-increment", (string)increment["id"]!, "mariadb"));
        var restoredActive = await Node.WaitForStatusAsync("demo", (string)restored["id"]!, "ACTIVE", TimeSpan.FromSeconds(90));
        Assert.Equal(1500L, Convert.ToInt64(await EngineClient.ScalarAsync(restoredActive, "SELECT count(*) FROM kept")));

        // Deleting the full backup takes its increment with it, file and all: the full backup recorded it when it was taken.
        Assert.Equal(HttpStatusCode.Accepted, (await Node.Http.DeleteAsync($"v1.0/demo/backups/{full["id"]}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Node.Http.GetAsync($"v1.0/demo/backups/{increment["id"]}")).StatusCode);
        Assert.False(File.Exists((string)increment["locationRef"]!));

        var postgres = (string)(await Node.CreateInstanceAsync("demo", PostgresInstanceTests.CreateBody("pg-no-increments")))["id"]!;
        await Node.WaitForStatusAsync("demo", postgres, "ACTIVE", TimeSpan.FromSeconds(90));
        var notForPostgres = await Node.Http.PostAsJsonAsync("v1.0/demo/backups", new { backup = new { name = "i", instance = postgres, incremental = true } });
        Assert.Equal(HttpStatusCode.BadRequest, notForPostgres.StatusCode);

        foreach (var id in new[] { sourceId, (string)restored["id"]!, postgres })
            await Node.Http.DeleteAsync($"v1.0/demo/instances/{id}");
    }

    [Fact]
    public async Task Bad_backup_requests_are_refused()
    {
        var missingInstance = await Node.Http.PostAsJsonAsync("v1.0/demo/backups", new { backup = new { name = "x", instance = Guid.NewGuid() } });
        Assert.Equal(HttpStatusCode.NotFound, missingInstance.StatusCode);
        var noName = await Node.Http.PostAsJsonAsync("v1.0/demo/backups", new { backup = new { instance = Guid.NewGuid() } });
        Assert.Equal(HttpStatusCode.BadRequest, noName.StatusCode);
        var missingId = Guid.NewGuid().ToString();
        var missingBackup = await Node.Http.PostAsJsonAsync("v1.0/demo/instances", RestoreBody("nothing", missingId));
        Assert.Equal(HttpStatusCode.NotFound, missingBackup.StatusCode);
        Assert.Equal($"Backup {missingId} cannot be found.",
            (string?)(await missingBackup.Content.ReadFromJsonAsync<JsonObject>())!["itemNotFound"]!["message"]);
        Assert.Equal(HttpStatusCode.NotFound, (await Node.Http.GetAsync($"v1.0/demo/backups/{Guid.NewGuid()}")).StatusCode);
    }
}
