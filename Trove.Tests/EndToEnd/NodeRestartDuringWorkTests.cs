using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Trove.Tests.Support;

namespace Trove.Tests.EndToEnd;

/// <summary>Work in progress when the node stops ends cleanly after it starts again: never stuck.</summary>
[Collection("restart")]
public sealed class NodeRestartDuringWorkTests
{
    [Fact]
    public async Task A_backup_and_a_restart_in_progress_while_the_node_restarts_end_and_the_instance_is_active_again()
    {
        var dataDir = TroveNode.NewDataDir();
        var first = await TroveNode.StartAsync(dataDir);
        var id = (string)(await first.CreateInstanceAsync("demo", PostgresInstanceTests.CreateBody("pg-interrupted")))["id"]!;
        await first.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(90));

        var response = await first.Http.PostAsJsonAsync("v1.0/demo/backups", new { backup = new { name = "interrupted", instance = id } });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var backupId = (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["backup"]!["id"]!;
        await first.StopAsync(); // the guest goes on and reports to the conductor queue, which waits for the next node

        await using var second = await TroveNode.StartAsync(dataDir);
        var deadline = DateTime.UtcNow.AddSeconds(90);
        string status;
        do
        {
            await Task.Delay(200);
            status = (string)(await second.Http.GetFromJsonAsync<JsonObject>($"v1.0/demo/backups/{backupId}"))!["backup"]!["status"]!;
        } while (status is "NEW" or "BUILDING" && DateTime.UtcNow < deadline);
        Assert.True(status is "COMPLETED" or "FAILED", $"the backup is still {status}");
        await second.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(30)); // no longer BACKUP

        Assert.Equal(HttpStatusCode.Accepted, (await second.Http.PostAsJsonAsync($"v1.0/demo/instances/{id}/action", new { restart = new { } })).StatusCode);
        await second.StopAsync();
        await using var third = await TroveNode.StartAsync(dataDir);
        await third.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(90)); // the REBOOT resumed or ended, not stuck
    }
}
