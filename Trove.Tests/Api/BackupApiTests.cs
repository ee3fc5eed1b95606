using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Trove.Tests.Support;

namespace Trove.Tests.Api;

/// <summary>Backups as upstream's, on a real node and engine: the <c>backups</c> quota, a delete that takes the increments
/// below it, and an admin's list of all projects' backups.</summary>
[Collection("node")]
public sealed class BackupApiTests(NodeFixture fixture)
{
    private const string Project = "backup-quota";
    private TroveNode Node => fixture.Node;
    private HttpClient Tenant => Node.Client(Project);

    private async Task<HttpResponseMessage> TakeAsync(string instanceId, string name, string? parentId = null) =>
        await Tenant.PostAsJsonAsync($"v1.0/{Project}/backups", new { backup = new { name, instance = instanceId, parent_id = parentId } });

    private async Task<JsonObject> CompletedAsync(string instanceId, string name, string? parentId = null)
    {
        var response = await TakeAsync(instanceId, name, parentId);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var id = (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["backup"]!["id"]!;
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var backup = (await Tenant.GetFromJsonAsync<JsonObject>($"v1.0/{Project}/backups/{id}"))!["backup"]!.AsObject();
            if ((string?)backup["status"] == "COMPLETED")
            {
                await Node.WaitForStatusAsync(Project, instanceId, "ACTIVE", TimeSpan.FromSeconds(10));
                return backup;
            }
            if ((string?)backup["status"] == "FAILED" || DateTime.UtcNow > deadline)
                throw new TimeoutException($"backup {id} is {backup.ToJsonString()}");
            await Task.Delay(100);
        }
    }

    private async Task<int> BackupsInUseAsync() =>
        (int)(await Tenant.GetFromJsonAsync<JsonObject>($"v1.0/{Project}/mgmt/quotas/{Project}"))!["quotas"]!.AsArray()
            .Single(q => (string?)q!["resource"] == "backups")!["in_use"]!;

    private async Task<IReadOnlyList<string>> ListedAsync(HttpClient client, string path) =>
        (await client.GetFromJsonAsync<JsonObject>(path))!["backups"]!.AsArray().Select(b => (string)b!["id"]!).ToList();

    [Fact]
    public async Task The_backups_quota_is_enforced_a_delete_takes_the_increments_below_it_and_an_admin_lists_every_project()
    {
        var instance = await Node.CreateInstanceAsync(Project, Trove.Tests.EndToEnd.DatabaseUserRootTests.CreateBody("backup-quota", "mariadb", "10.11"));
        var instanceId = (string)instance["id"]!;
        await Node.WaitForStatusAsync(Project, instanceId, "ACTIVE", TimeSpan.FromSeconds(90));
        var set = await Node.Client("admin").PutAsJsonAsync($"v1.0/admin/mgmt/quotas/{Project}", new { quotas = new { backups = 3 } });
        Assert.True(set.IsSuccessStatusCode, await set.Content.ReadAsStringAsync());

        var full = await CompletedAsync(instanceId, "full");
        var increment = await CompletedAsync(instanceId, "increment", (string)full["id"]!);
        var second = await CompletedAsync(instanceId, "second", (string)increment["id"]!);
        Assert.Equal(3, await BackupsInUseAsync());

        var over = await TakeAsync(instanceId, "over");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
        Assert.Equal("Quota exceeded for resources: ['backups'].", (string?)(await over.Content.ReadFromJsonAsync<JsonObject>())!["overLimit"]!["message"]);
        Assert.Equal(3, await BackupsInUseAsync());
        Assert.Equal("ACTIVE", (string?)(await Node.ShowAsync(Project, instanceId))!["status"]);
        await Task.Delay(500); // a kept one would be listed by now (its entity writes its read-model row before it answers)
        Assert.Equal(3, (await ListedAsync(Tenant, $"v1.0/{Project}/backups")).Count);

        // the full backup goes with both increments below it, their files too, and gives the quota of all three back
        Assert.Equal(HttpStatusCode.Accepted, (await Tenant.DeleteAsync($"v1.0/{Project}/backups/{full["id"]}")).StatusCode);
        foreach (var backup in new[] { full, increment, second })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await Tenant.GetAsync($"v1.0/{Project}/backups/{backup["id"]}")).StatusCode);
            Assert.False(File.Exists((string)backup["locationRef"]!));
        }
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await BackupsInUseAsync() != 0 && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        Assert.Equal(0, await BackupsInUseAsync());

        // an admin lists every project's backups; a tenant only its own, and is refused another's or all
        var kept = (string)(await CompletedAsync(instanceId, "kept"))["id"]!;
        deadline = DateTime.UtcNow.AddSeconds(10);
        while (!(await ListedAsync(Node.Client("admin"), "v1.0/admin/backups?all_projects=true")).Contains(kept) && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        Assert.Contains(kept, await ListedAsync(Node.Client("admin"), "v1.0/admin/backups?all_projects=true"));
        Assert.Contains(kept, await ListedAsync(Node.Client("admin"), $"v1.0/admin/backups?project_id={Project}"));
        Assert.DoesNotContain(kept, await ListedAsync(Node.Client("admin"), "v1.0/admin/backups"));
        Assert.DoesNotContain(kept, await ListedAsync(Node.Http, "v1.0/demo/backups"));
        foreach (var query in new[] { "all_projects=true", $"project_id={Project}" })
        {
            var refused = await Node.Http.GetAsync($"v1.0/demo/backups?{query}");
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("backup:index:all_projects", await refused.Content.ReadAsStringAsync());
        }
        Assert.Equal(HttpStatusCode.OK, (await Node.Http.GetAsync("v1.0/demo/backups?all_projects=false")).StatusCode);

        await Tenant.DeleteAsync($"v1.0/{Project}/backups/{kept}");
        await Tenant.DeleteAsync($"v1.0/{Project}/instances/{instanceId}");
    }
}
