using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Trove.Tests.Support;

namespace Trove.Tests.EndToEnd;

/// <summary>PostgreSQL's continuous WAL archive in the backup storage, restores to a time or to the archive's end, and the
/// archive's retention, on real engines.</summary>
[Collection("node")]
public sealed class PointInTimeRecoveryTests(NodeFixture fixture)
{
    private TroveNode Node => fixture.Node;

    private string ArchiveOf(string instanceId) => Path.Combine(Node.DataDir, "backups", "wal", instanceId);

    internal static object RestoreBody(string name, string backupId, string? restoreTime) => new
    {
        instance = new
        {
            name, flavorRef = "small", volume = new { size = 1 }, datastore = new { type = "postgresql" },
            restorePoint = restoreTime is null ? (object)new { backupRef = backupId } : new { backupRef = backupId, restore_time = restoreTime },
        },
    };

    /// <summary>Waits until the engine has archived the segment into the instance's directory.</summary>
    private async Task ArchivedAsync(string instanceId, string segment)
    {
        var file = Path.Combine(ArchiveOf(instanceId), segment);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!File.Exists(file))
        {
            Assert.True(DateTime.UtcNow < deadline, $"segment {segment} was not archived into {ArchiveOf(instanceId)}");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_restore_to_a_noted_time_has_the_rows_before_it_and_one_to_the_end_has_them_all_and_old_segments_go()
    {
        var (sourceId, _, beforeBackup, backup, noted, afterBackup) = await ArchivedSource.WriteAsync(Node, "pitr-source", ArchivedAsync);
        var backupId = (string)backup["id"]!;

        // retention: the backup's end removed what was archived before it began; a second backup's delete keeps the rest
        var pruned = DateTime.UtcNow.AddSeconds(10);
        while (File.Exists(Path.Combine(ArchiveOf(sourceId), beforeBackup)) && DateTime.UtcNow < pruned)
            await Task.Delay(100);
        Assert.False(File.Exists(Path.Combine(ArchiveOf(sourceId), beforeBackup)), $"{beforeBackup} was archived before the oldest backup and is kept");
        var second = await Node.WaitForBackupAsync("demo", (string)(await Node.CreateBackupAsync("demo", sourceId, "pitr-second"))["id"]!, "COMPLETED");
        await Node.WaitForStatusAsync("demo", sourceId, "ACTIVE", TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.Accepted, (await Node.Http.DeleteAsync($"v1.0/demo/backups/{second["id"]}")).StatusCode);
        Assert.True(File.Exists(Path.Combine(ArchiveOf(sourceId), afterBackup)), $"{afterBackup} was archived after the oldest backup and is gone");

        // a time before the backup completed, or a datastore without the archive: 400, nothing created
        var tooEarly = await Node.Http.PostAsJsonAsync("v1.0/demo/instances",
            RestoreBody("pitr-too-early", backupId, DateTimeOffset.Parse((string)backup["created"]!).AddMinutes(-1).ToString("O")));
        Assert.Equal(HttpStatusCode.BadRequest, tooEarly.StatusCode);
        Assert.Contains($"is before backup {backupId} completed", (string?)(await tooEarly.Content.ReadFromJsonAsync<JsonObject>())!["badRequest"]!["message"]);

        var toTime = await Node.CreateInstanceAsync("demo", RestoreBody("pitr-to-time", backupId, noted.ToString("O")));
        var atTime = await Node.WaitForStatusAsync("demo", (string)toTime["id"]!, "ACTIVE", TimeSpan.FromSeconds(120));
        Assert.Equal(1, await ArchivedSource.CountAsync(atTime, "A"));
        Assert.Equal(0, await ArchivedSource.CountAsync(atTime, "B"));

        var toEnd = await Node.CreateInstanceAsync("demo", RestoreBody("pitr-to-end", backupId, null));
        var atEnd = await Node.WaitForStatusAsync("demo", (string)toEnd["id"]!, "ACTIVE", TimeSpan.FromSeconds(120));
        Assert.Equal(1, await ArchivedSource.CountAsync(atEnd, "A"));
        Assert.Equal(1, await ArchivedSource.CountAsync(atEnd, "B"));

        // the restored instances write (on their new timeline) into archives of their own, never into the source's
        await EngineClient.ScalarAsync(atEnd, "INSERT INTO rows VALUES ('C'); SELECT 1");
        Assert.Empty(Directory.EnumerateFiles(ArchiveOf(sourceId), "00000002*"));
        var ownDeadline = DateTime.UtcNow.AddSeconds(30);
        while (!Directory.EnumerateFiles(ArchiveOf((string)toEnd["id"]!), "00000002*").Any() && DateTime.UtcNow < ownDeadline)
            await Task.Delay(100);
        Assert.NotEmpty(Directory.EnumerateFiles(ArchiveOf((string)toEnd["id"]!), "00000002*"));

        foreach (var id in new[] { sourceId, (string)toTime["id"]!, (string)toEnd["id"]! })
            await Node.Http.DeleteAsync($"v1.0/demo/instances/{id}");
    }
}
