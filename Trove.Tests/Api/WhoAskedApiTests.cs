using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Trove.Tests.EndToEnd;
using Trove.Tests.Support;

namespace Trove.Tests.Api;

/// <summary>Who asked: every history entry a request made names the user who sent it, whichever route it came by (a
/// tenant's or an operator's), on a real node with a real guest and engine (MariaDB: it takes incremental backups).</summary>
[Collection("node")]
public sealed class WhoAskedApiTests(NodeFixture fixture)
{
    private const string Tenant = "events";
    private static readonly TimeSpan Build = TimeSpan.FromSeconds(120);
    private TroveNode Node => fixture.Node;

    [Fact]
    public async Task Each_history_entry_a_request_made_names_its_caller_and_none_the_system_made_does()
    {
        var client = Node.Client(Tenant);
        var (tenantUser, admin) = (await UserIdAsync(Tenant), await UserIdAsync("admin"));
        Assert.NotEqual(tenantUser, admin);
        var group = await client.PostAsJsonAsync($"v1.0/{Tenant}/configurations", new
        {
            configuration = new { name = "who-asked", values = new { max_connections = 90 }, datastore = new { type = "mariadb", version = "10.11" } },
        });
        var groupId = (string)(await group.Content.ReadFromJsonAsync<JsonObject>())!["configuration"]!["id"]!;

        var id = (string)(await Node.CreateInstanceAsync(Tenant, DatabaseUserRootTests.CreateBody("who-asked", "mariadb", "10.11")))["id"]!;
        await Node.WaitForStatusAsync(Tenant, id, "ACTIVE", Build);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"v1.0/{Tenant}/instances/{id}/root", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PutAsJsonAsync($"v1.0/{Tenant}/instances/{id}", new { instance = new { configuration = groupId } })).StatusCode);
        // a change of the group rolls out to the instance: attached again, for whoever changed it
        Assert.True((await client.PutAsJsonAsync($"v1.0/{Tenant}/configurations/{groupId}", new { configuration = new { values = new { max_connections = 80 } } })).IsSuccessStatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PutAsJsonAsync($"v1.0/{Tenant}/instances/{id}", new { instance = new { configuration = "" } })).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync($"v1.0/{Tenant}/instances/{id}/action", new { resize = new { volume = new { size = 2 } } })).StatusCode);
        await Node.WaitForStatusAsync(Tenant, id, "ACTIVE", Build);
        var backupId = (string)(await Node.CreateBackupAsync(Tenant, id, "who-asked"))["id"]!;
        await Node.WaitForBackupAsync(Tenant, backupId, "COMPLETED");
        var increment = await client.PostAsJsonAsync($"v1.0/{Tenant}/backups", new { backup = new { name = "who-asked-increment", instance = id, parent_id = backupId } });
        Assert.True(increment.StatusCode == HttpStatusCode.Accepted, await increment.Content.ReadAsStringAsync());
        var incrementId = (string)(await increment.Content.ReadFromJsonAsync<JsonObject>())!["backup"]!["id"]!;
        await Node.WaitForBackupAsync(Tenant, incrementId, "COMPLETED");
        // deletes the increment too, as the same caller
        Assert.Equal(HttpStatusCode.Accepted, (await client.DeleteAsync($"v1.0/{Tenant}/backups/{backupId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await Node.Client("admin").PostAsJsonAsync($"v1.0/admin/instances/{id}/action", new { reset_status = new { } })).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await client.DeleteAsync($"v1.0/{Tenant}/instances/{id}")).StatusCode);

        var history = await HistoryAsync(client, $"v1.0/{Tenant}/instances/{id}/events?limit=1000");
        var asked = new Dictionary<string, string>
        {
            ["created"] = tenantUser, ["root_enabled"] = tenantUser, ["configuration_attached"] = tenantUser, ["configuration_detached"] = tenantUser,
            ["resize_started"] = tenantUser, ["backup_started"] = tenantUser, ["status_reset"] = admin, ["delete_requested"] = tenantUser,
        };
        AssertAsked(history, asked);
        Assert.Equal(2, history.Count(e => (string?)e!["type"] == "configuration_attached")); // the attach and the roll-out
        Assert.Equal(2, history.Count(e => (string?)e!["type"] == "backup_started"));

        var backupAsked = new Dictionary<string, string> { ["created"] = tenantUser, ["deleted"] = tenantUser };
        AssertAsked(await HistoryAsync(client, $"v1.0/{Tenant}/backups/{incrementId}/events?limit=1000"), backupAsked);
        backupAsked["child_added"] = tenantUser;
        AssertAsked(await HistoryAsync(client, $"v1.0/{Tenant}/backups/{backupId}/events?limit=1000"), backupAsked);
        await client.DeleteAsync($"v1.0/{Tenant}/configurations/{groupId}");
    }

    /// <summary>Every entry of each type of <paramref name="asked"/> (each there) names its user; every other entry nobody.</summary>
    private static void AssertAsked(JsonArray history, IReadOnlyDictionary<string, string> asked)
    {
        Assert.Equal(asked.Keys.Order(), history.Select(e => (string)e!["type"]!).Where(asked.ContainsKey).Distinct().Order());
        Assert.All(history, e => Assert.Equal(asked.GetValueOrDefault((string)e!["type"]!), (string?)e!["user"]));
    }

    /// <summary>The user id a token of <paramref name="project"/>'s test user names (Keystone's <c>token.user.id</c>).</summary>
    private async Task<string> UserIdAsync(string project)
    {
        using var anonymous = Node.Anonymous();
        var response = await anonymous.PostAsJsonAsync("v3/auth/tokens", TroveNode.LoginBody(project, project, project));
        return (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["token"]!["user"]!["id"]!;
    }

    private static async Task<JsonArray> HistoryAsync(HttpClient client, string path) =>
        (await client.GetFromJsonAsync<JsonObject>(path))!["events"]!.AsArray();
}
