using System.Text.Json.Nodes;
using Trove.Actors.Compute.OpenStack;

namespace Trove.Tests.OpenStack;

/// <summary>What a test asks of the sandbox as its administrator, straight through the APIs: to look at servers and
/// volumes whatever NovaCompute says, and to set up flavors, projects and quotas.</summary>
public sealed class CloudAdmin(KeystoneSession admin)
{
    public async Task<JsonNode?> CallAsync(string service, HttpMethod method, string path, JsonNode? body = null, string? microversion = null)
    {
        using var response = await admin.SendAsync(service, endpoint =>
        {
            var request = new HttpRequestMessage(method, KeystoneSession.Under(endpoint, path));
            if (microversion is not null)
                request.Headers.Add("OpenStack-API-Version", microversion);
            if (body is not null)
                request.Content = KeystoneSession.Json(body);
            return request;
        }, CancellationToken.None);
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    /// <summary>Every project's servers of exactly that name.</summary>
    public async Task<IReadOnlyList<JsonNode>> ServersNamedAsync(string name) =>
        (await CallAsync("compute", HttpMethod.Get, $"servers/detail?all_tenants=1&name={Uri.EscapeDataString($"^{name}$")}", microversion: "compute 2.37"))!
        ["servers"]!.AsArray().Where(s => (string?)s!["name"] == name && (string?)s["status"] != "DELETED").Select(s => s!).ToList();

    /// <summary>Every project's volumes of exactly that name.</summary>
    public async Task<IReadOnlyList<JsonNode>> VolumesNamedAsync(string name)
    {
        var volumes = await CallAsync("volumev3", HttpMethod.Get, $"volumes/detail?all_tenants=1&name={Uri.EscapeDataString(name)}", microversion: "volume 3.42");
        return volumes!["volumes"]!.AsArray().Where(v => (string?)v!["name"] == name).Select(v => v!).ToList();
    }

    public async Task<JsonNode> ServerAsync(string id, string microversion = "compute 2.37") =>
        (await CallAsync("compute", HttpMethod.Get, $"servers/{id}", microversion: microversion))!["server"]!;

    /// <summary>A flavor of the test's own; deleted at the end of the test.</summary>
    public async Task<string> CreateFlavorAsync(string name, int ramMb, int diskGb)
    {
        var flavor = await CallAsync("compute", HttpMethod.Post, "flavors",
            new JsonObject { ["flavor"] = new JsonObject { ["name"] = name, ["ram"] = ramMb, ["vcpus"] = 1, ["disk"] = diskGb } });
        return (string)flavor!["flavor"]!["id"]!;
    }

    public async Task DeleteFlavorAsync(string id) => await CallAsync("compute", HttpMethod.Delete, $"flavors/{id}");

    /// <summary>A project of the test's own, in which the sandbox's demo user is a member.</summary>
    public async Task<string> CreateProjectWithDemoAsync(string name)
    {
        var project = (string)(await CallAsync("identity", HttpMethod.Post, "projects",
            new JsonObject { ["project"] = new JsonObject { ["name"] = name, ["domain_id"] = "default" } }))!["project"]!["id"]!;
        var user = (string)(await CallAsync("identity", HttpMethod.Get, "users?name=demo"))!["users"]![0]!["id"]!;
        var role = (string)(await CallAsync("identity", HttpMethod.Get, "roles?name=member"))!["roles"]![0]!["id"]!;
        await CallAsync("identity", HttpMethod.Put, $"projects/{project}/users/{user}/roles/{role}");
        return project;
    }

    public async Task DeleteProjectAsync(string id) => await CallAsync("identity", HttpMethod.Delete, $"projects/{id}");

    public async Task SetComputeQuotaAsync(string projectId, string resource, int limit) =>
        await CallAsync("compute", HttpMethod.Put, $"os-quota-sets/{projectId}",
            new JsonObject { ["quota_set"] = new JsonObject { [resource] = limit } });
}
