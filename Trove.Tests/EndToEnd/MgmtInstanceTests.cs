using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Trove.Tests.Support;

namespace Trove.Tests.EndToEnd;

/// <summary>The operator's instance side of the management API with a real PostgreSQL guest: every tenant's instances,
/// one instance's server, volume and guest, <c>rpc_ping</c> through the instance entity to the guest, the actions
/// (stop stops the engine, reboot starts it again, migrate is refused), and deleted instances on request.</summary>
[Collection("node")]
public sealed class MgmtInstanceTests(NodeFixture fixture)
{
    private TroveNode Node => fixture.Node;
    private HttpClient Admin => Node.Client("admin");

    [Fact]
    public async Task An_admin_lists_shows_pings_stops_reboots_and_sees_deleted_instances_of_any_tenant()
    {
        var id = (string)(await Node.CreateInstanceAsync("demo", PostgresInstanceTests.CreateBody("mgmt-e2e")))["id"]!;
        await Node.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromMinutes(3));
        await Node.WaitForOperatingStatusAsync("demo", id, "HEALTHY", TimeSpan.FromMinutes(1));

        var listed = (await Admin.GetFromJsonAsync<JsonObject>("v1.0/admin/mgmt/instances"))!["instances"]!.AsArray()
            .Single(i => (string?)i!["id"] == id)!;
        Assert.Equal(("demo", false, "No tasks for the instance.", "demo"),
            ((string?)listed["tenant_id"], (bool?)listed["deleted"], (string?)listed["task_description"], (string?)listed["server"]!["tenant_id"]));
        Assert.Equal("HEALTHY", (string?)listed["service_status"]);
        Assert.Empty((await Admin.GetFromJsonAsync<JsonObject>("v1.0/admin/mgmt/instances?project_id=other"))!["instances"]!.AsArray()
            .Where(i => (string?)i!["id"] == id));
        var page = (await Admin.GetFromJsonAsync<JsonObject>("v1.0/admin/mgmt/instances?limit=1"))!;
        Assert.Single(page["instances"]!.AsArray());
        Assert.Contains("marker=", (string?)page["links"]![0]!["href"]);

        var shown = (await Admin.GetFromJsonAsync<JsonObject>($"v1.0/admin/mgmt/instances/{id}"))!["instance"]!;
        Assert.Equal("mgmt-e2e", (string?)shown["name"]);
        Assert.False(string.IsNullOrEmpty((string?)shown["server"]!["host"]));
        Assert.NotEmpty(shown["server"]!["addresses"]!.AsArray());
        Assert.Equal(1, (int?)shown["volume"]!["size"]);
        Assert.Equal("healthy", (string?)shown["guest_status"]!["state_description"]);

        Assert.Equal(HttpStatusCode.NoContent, (await Admin.GetAsync($"v1.0/admin/mgmt/instances/{id}/rpc_ping")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Admin.GetAsync($"v1.0/admin/mgmt/instances/{Guid.NewGuid()}/rpc_ping")).StatusCode);

        var migrate = await Admin.PostAsJsonAsync($"v1.0/admin/mgmt/instances/{id}/action", new { migrate = new { host = "elsewhere" } });
        Assert.Equal(HttpStatusCode.BadRequest, migrate.StatusCode);
        Assert.Contains("compute driver", (string?)(await migrate.Content.ReadFromJsonAsync<JsonObject>())!["badRequest"]!["message"]);
        var unknown = await Admin.PostAsJsonAsync($"v1.0/admin/mgmt/instances/{id}/action", new { rebuild = new { image_id = "x" } });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Admin.PostAsJsonAsync($"v1.0/admin/mgmt/instances/{id}/action", new { stop = new { }, reboot = new { } })).StatusCode);

        // stop: the guest stops the engine and reports it; reboot starts it again.
        Assert.Equal(HttpStatusCode.Accepted, (await Admin.PostAsJsonAsync($"v1.0/admin/mgmt/instances/{id}/action", new { stop = new { } })).StatusCode);
        await Node.WaitForOperatingStatusAsync("demo", id, "SHUTDOWN", TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.Accepted, (await Admin.PostAsJsonAsync($"v1.0/admin/mgmt/instances/{id}/action", new { reboot = new { } })).StatusCode);
        await Node.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromMinutes(2));
        await Node.WaitForOperatingStatusAsync("demo", id, "HEALTHY", TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.Accepted, (await Admin.PostAsJsonAsync($"v1.0/admin/mgmt/instances/{id}/action", new Dictionary<string, object>
        {
            ["reset-task-status"] = new { },
        })).StatusCode);

        Assert.Equal(HttpStatusCode.Accepted, (await Node.Http.DeleteAsync($"v1.0/demo/instances/{id}")).StatusCode);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (await Node.ShowAsync("demo", id) is not null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"instance {id} was not deleted; see {Node.DataDir}/node.log");
            await Task.Delay(250);
        }
        Assert.DoesNotContain((await Admin.GetFromJsonAsync<JsonObject>("v1.0/admin/mgmt/instances?deleted=false"))!["instances"]!.AsArray(),
            i => (string?)i!["id"] == id);
        var deleted = (await Admin.GetFromJsonAsync<JsonObject>("v1.0/admin/mgmt/instances?deleted=true"))!["instances"]!.AsArray()
            .Single(i => (string?)i!["id"] == id)!;
        Assert.True((bool?)deleted["deleted"]);
        Assert.NotNull((string?)deleted["deleted_at"]);
        Assert.Equal(HttpStatusCode.NotFound, (await Admin.GetAsync($"v1.0/admin/mgmt/instances/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Admin.GetAsync($"v1.0/admin/mgmt/instances/{id}?deleted=true")).StatusCode);
    }
}
