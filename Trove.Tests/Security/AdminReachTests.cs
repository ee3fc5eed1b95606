using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Trove.Tests.EndToEnd;
using Trove.Tests.Support;
using Trove.Web.Auth;

namespace Trove.Tests.Security;

/// <summary>
/// Upstream's admin context: an admin reaches another tenant's instance through its own project path (every mapped route
/// that reads one instance, then reset_status and delete), another non-admin never does, and the admin's delete gives
/// the quota back to the owner.
/// </summary>
public sealed class AdminReachTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private const string Owner = "demo", Admin = "admin", Stranger = "other";
    private TroveNode Node => fixture.Node;

    [Fact]
    public void The_admin_reach_guards_every_route_of_one_instance_or_backup_and_no_other()
    {
        var reached = ApiRoutes.All.Where(r => r.IsTenantRoute && AdminReach.ActsOnOneEntity(r.Pattern.RawText!)).Select(r => r.ToString()).ToList();
        Assert.Contains("GET /v1.0/{tenantId}/instances/{id}", reached);
        Assert.Contains("DELETE /v1.0/{tenantId}/instances/{id}", reached);
        Assert.Contains("POST /v1.0/{tenantId}/instances/{id}/action", reached);
        Assert.Contains("GET /v1.0/{tenantId}/backups/{id}", reached);
        Assert.Contains("DELETE /v1.0/{tenantId}/backups/{id}", reached);
        Assert.All(reached, r => Assert.Matches(@"/(instances|backups)/\{id\}", r));
        // Lists and creates keep the routed tenant: they make or show the caller's own things.
        Assert.Contains("GET /v1.0/{tenantId}/instances/{id}/backups", reached);
        Assert.DoesNotContain(reached, r => r.EndsWith("{tenantId}/instances", StringComparison.Ordinal) || r.EndsWith("{tenantId}/backups", StringComparison.Ordinal)
            || r.Contains("/configurations", StringComparison.Ordinal) || r.Contains("/mgmt/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_admin_shows_resets_and_deletes_another_tenant_s_instance_through_its_own_path_a_stranger_never_and_the_owner_s_quota_is_given_back()
    {
        var id = (string)(await Node.CreateInstanceAsync(Owner, PostgresInstanceTests.CreateBody("reached")))["id"]!;
        await Node.WaitForStatusAsync(Owner, id, "ACTIVE", TimeSpan.FromMinutes(3));
        Assert.Equal(1, await InstancesInUseAsync(Owner));

        // Every mapped read of one instance named only by {id}: the admin through its own path reads it, a stranger gets 404.
        var reads = ApiRoutes.All.Where(r => r.IsTenantRoute && r.Method == "GET" && AdminReach.ActsOnOneEntity(r.Pattern.RawText!)
            && r.Template.StartsWith("/v1.0/{tenantId}/instances/{id}", StringComparison.Ordinal)
            && r.Pattern.Parameters.All(p => p.Name is "tenantId" or "id")).ToList();
        Assert.True(reads.Count >= 4, string.Join(", ", reads));
        Assert.Contains(reads, r => r.Template.EndsWith("/events/stream", StringComparison.Ordinal));
        foreach (var route in reads)
        {
            using var asAdmin = await Node.Client(Admin).GetAsync(route.Path(p => p == "tenantId" ? Admin : id)[1..], HttpCompletionOption.ResponseHeadersRead);
            if (!asAdmin.IsSuccessStatusCode) // its body read only then: a stream's never ends
                Assert.Fail($"{route} as admin: {(int)asAdmin.StatusCode} {await asAdmin.Content.ReadAsStringAsync()}");
            using var asStranger = await Node.Client(Stranger).GetAsync(route.Path(p => p == "tenantId" ? Stranger : id)[1..], HttpCompletionOption.ResponseHeadersRead);
            Assert.True(asStranger.StatusCode == HttpStatusCode.NotFound, $"{route} as a stranger: {(int)asStranger.StatusCode}");
        }
        var shown = (await Node.Client(Admin).GetFromJsonAsync<JsonObject>($"v1.0/{Admin}/instances/{id}"))!["instance"]!;
        Assert.Equal("reached", (string?)shown["name"]);

        // A stranger can neither reset nor delete it.
        Assert.Equal(HttpStatusCode.NotFound, (await Node.Client(Stranger).DeleteAsync($"v1.0/{Stranger}/instances/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Node.Client(Stranger).PostAsJsonAsync($"v1.0/{Stranger}/instances/{id}/action",
            new { reset_status = new { } })).StatusCode);
        Assert.NotNull(await Node.ShowAsync(Owner, id));

        var reset = await Node.Client(Admin).PostAsJsonAsync($"v1.0/{Admin}/instances/{id}/action", new { reset_status = new { } });
        Assert.True(reset.StatusCode == HttpStatusCode.Accepted, $"{(int)reset.StatusCode} {await reset.Content.ReadAsStringAsync()}");
        var deleted = await Node.Client(Admin).DeleteAsync($"v1.0/{Admin}/instances/{id}");
        Assert.True(deleted.StatusCode == HttpStatusCode.Accepted, $"{(int)deleted.StatusCode} {await deleted.Content.ReadAsStringAsync()}");

        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (await Node.ShowAsync(Owner, id) is not null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"instance {id} was not deleted; see {Node.DataDir}/node.log");
            await Task.Delay(250);
        }
        while (await InstancesInUseAsync(Owner) != 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the owner's quota was not given back");
            await Task.Delay(250);
        }
        Assert.Equal(0, await InstancesInUseAsync(Admin));
    }

    private async Task<int> InstancesInUseAsync(string project)
    {
        var quotas = (await Node.Client(project).GetFromJsonAsync<JsonObject>($"v1.0/{project}/mgmt/quotas/{project}"))!["quotas"]!.AsArray();
        return (int)quotas.Single(q => (string?)q!["resource"] == "instances")!["in_use"]!;
    }
}
