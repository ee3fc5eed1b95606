using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Trove.Actors.Backups;
using Trove.Actors.Compute.OpenStack;
using Trove.Tests.OpenStack;
using Trove.Tests.Support;

namespace Trove.Tests.EndToEnd;

/// <summary>A node whose backups are kept in the sandbox's Swift (<c>Trove:Backups:Storage = swift</c>), with the local
/// compute driver: its guests reach Swift only through the TempURLs the node gives them.</summary>
public sealed class SwiftNodeFixture : NodeFixture
{
    protected override IDictionary<string, string> Settings => SwiftSandbox.NodeSettings;
}

/// <summary>A backup of a real PostgreSQL instance into Swift, and a restore from it into a new instance.</summary>
[Collection(SwiftCollection.Name)]
public sealed class SwiftBackupRestoreTests(SwiftSandbox sandbox, SwiftNodeFixture fixture) : IClassFixture<SwiftNodeFixture>
{
    private TroveNode Node => fixture.Node;

    [Fact]
    public async Task A_postgresql_backup_goes_to_the_tenants_Swift_container_and_restores_into_a_new_instance_with_the_same_rows()
    {
        var source = await Node.CreateInstanceAsync("demo", DatabaseUserRootTests.CreateBody("pg-swift-source", "postgresql", "15"));
        var sourceId = (string)source["id"]!;
        var active = await Node.WaitForStatusAsync("demo", sourceId, "ACTIVE", TimeSpan.FromSeconds(90));
        await EngineClient.ScalarAsync(active, "CREATE TABLE kept (n int); INSERT INTO kept SELECT generate_series(1, 1000); SELECT 1");

        var backup = await Node.WaitForBackupAsync("demo", (string)(await Node.CreateBackupAsync("demo", sourceId, "to-swift"))["id"]!, "COMPLETED");
        var backupId = (string)backup["id"]!;
        var objectStore = await sandbox.Session.EndpointAsync(SwiftBackupStorage.ServiceType, CancellationToken.None);
        var location = (string)backup["locationRef"]!;
        Assert.Equal(KeystoneSession.Under(objectStore, $"database_backups_demo/{backupId}.tar.gz").AbsoluteUri, location);
        Assert.True(await SizeInSwiftAsync(location) > 0);
        Assert.Null(await SizeInSwiftAsync(location + ".part")); // sealed: only the final object is left
        await Node.WaitForStatusAsync("demo", sourceId, "ACTIVE", TimeSpan.FromSeconds(10));

        var restored = await Node.CreateInstanceAsync("demo", BackupRestoreTests.RestoreBody("pg-swift-restored", backupId));
        var restoredActive = await Node.WaitForStatusAsync("demo", (string)restored["id"]!, "ACTIVE", TimeSpan.FromSeconds(120));
        Assert.Equal(1000L, Convert.ToInt64(await EngineClient.ScalarAsync(restoredActive, "SELECT count(*) FROM kept")));
        Assert.Equal(0L, Convert.ToInt64(await EngineClient.ScalarAsync(restoredActive,
            "SELECT count(*) FROM kept WHERE n NOT BETWEEN 1 AND 1000")));

        // Deleting the backup removes its object.
        Assert.Equal(HttpStatusCode.Accepted, (await Node.Http.DeleteAsync($"v1.0/demo/backups/{backupId}")).StatusCode);
        Assert.Null(await SizeInSwiftAsync(location));

        foreach (var id in new[] { sourceId, (string)restored["id"]! })
            await Node.Http.DeleteAsync($"v1.0/demo/instances/{id}");
    }

    [Fact]
    public async Task A_mariadb_increment_in_Swift_restores_its_whole_chain_and_deleting_the_full_backup_removes_both_objects()
    {
        var source = await Node.CreateInstanceAsync("demo", DatabaseUserRootTests.CreateBody("mariadb-swift-source", "mariadb", "10.11"));
        var sourceId = (string)source["id"]!;
        var active = await Node.WaitForStatusAsync("demo", sourceId, "ACTIVE", TimeSpan.FromSeconds(90));
        await EngineClient.ScalarAsync(active, "CREATE TABLE kept (n int); INSERT INTO kept SELECT seq FROM seq_1_to_1000; SELECT 1");
        var full = await Node.WaitForBackupAsync("demo", (string)(await Node.CreateBackupAsync("demo", sourceId, "full"))["id"]!, "COMPLETED");
        await Node.WaitForStatusAsync("demo", sourceId, "ACTIVE", TimeSpan.FromSeconds(10));

        await EngineClient.ScalarAsync(active, "INSERT INTO kept SELECT seq FROM seq_1001_to_1500; SELECT 1");
        var response = await Node.Http.PostAsJsonAsync("v1.0/demo/backups",
            new { backup = new { name = "increment", instance = sourceId, parent_id = (string)full["id"]! } });
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var increment = await Node.WaitForBackupAsync("demo", (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["backup"]!["id"]!, "COMPLETED");
        Assert.Equal((string)full["id"]!, (string?)increment["parent_id"]);

        // the new server's guest downloads both objects through their GET TempURLs and applies them in order
        var restored = await Node.CreateInstanceAsync("demo", BackupRestoreTests.RestoreBody("mariadb-swift-restored", (string)increment["id"]!, "mariadb"));
        var restoredActive = await Node.WaitForStatusAsync("demo", (string)restored["id"]!, "ACTIVE", TimeSpan.FromSeconds(120));
        Assert.Equal(1500L, Convert.ToInt64(await EngineClient.ScalarAsync(restoredActive, "SELECT count(*) FROM kept")));

        Assert.Equal(HttpStatusCode.Accepted, (await Node.Http.DeleteAsync($"v1.0/demo/backups/{full["id"]}")).StatusCode);
        Assert.Null(await SizeInSwiftAsync((string)full["locationRef"]!));
        Assert.Null(await SizeInSwiftAsync((string)increment["locationRef"]!));

        foreach (var id in new[] { sourceId, (string)restored["id"]! })
            await Node.Http.DeleteAsync($"v1.0/demo/instances/{id}");
    }

    [Fact]
    public async Task A_postgresql_instance_archives_its_wal_into_Swift_and_restores_to_a_noted_time_from_it_and_old_segments_go()
    {
        var source = await ArchivedSource.WriteAsync(Node, "pitr-swift-source", ArchivedInSwiftAsync);

        // retention, with the node's own account: the backup's end removed what was archived before it began
        var pruned = DateTime.UtcNow.AddSeconds(10);
        while ((await WalInSwiftAsync(source.Id)).Contains(source.BeforeBackup) && DateTime.UtcNow < pruned)
            await Task.Delay(200);
        Assert.DoesNotContain(source.BeforeBackup, await WalInSwiftAsync(source.Id));
        Assert.Contains(source.AfterBackup, await WalInSwiftAsync(source.Id));

        // the restoring guest reads the source's segments through a read-only prefix TempURL
        var toTime = await Node.CreateInstanceAsync("demo", PointInTimeRecoveryTests.RestoreBody("pitr-swift-to-time", (string)source.Backup["id"]!,
            source.Noted.ToString("O")));
        var atTime = await Node.WaitForStatusAsync("demo", (string)toTime["id"]!, "ACTIVE", TimeSpan.FromSeconds(120));
        Assert.Equal(1, await ArchivedSource.CountAsync(atTime, "A"));
        Assert.Equal(0, await ArchivedSource.CountAsync(atTime, "B"));

        foreach (var id in new[] { source.Id, (string)toTime["id"]! })
            await Node.Http.DeleteAsync($"v1.0/demo/instances/{id}");
    }

    /// <summary>The names of the instance's archived WAL segments in Swift, as the service account sees them.</summary>
    private async Task<IReadOnlyList<string>> WalInSwiftAsync(string instanceId)
    {
        var prefix = SwiftWalArchive.PrefixOf(instanceId);
        return (await sandbox.ListAsync("database_backups_demo", prefix)).Select(name => name[prefix.Length..]).ToList();
    }

    /// <summary>Waits until the engine has archived the segment into Swift: the first may wait for the instance's first grant.</summary>
    private async Task ArchivedInSwiftAsync(string instanceId, string segment)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!(await WalInSwiftAsync(instanceId)).Contains(segment))
        {
            Assert.True(DateTime.UtcNow < deadline, $"segment {segment} of instance {instanceId} was not archived into Swift");
            await Task.Delay(200);
        }
    }

    /// <summary>The object's size as the service account sees it; null when there is none.</summary>
    private async Task<long?> SizeInSwiftAsync(string location)
    {
        try
        {
            using var response = await sandbox.Session.SendAsync(SwiftBackupStorage.ServiceType,
                _ => new HttpRequestMessage(HttpMethod.Head, location), CancellationToken.None);
            return response.Content.Headers.ContentLength;
        }
        catch (CloudFault fault) when (fault.IsNotFound)
        {
            return null;
        }
    }
}
