using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Trove.Tests.Support;

namespace Trove.Tests.Upgrade;

/// <summary>
/// An operator upgrades a single node: this release starts on the journal, snapshots and read model that release
/// d88d1e5 wrote (Fixtures/Upgrade-d88d1e5), and serves every instance, backup, configuration group and tenant as
/// that release last showed them, through the entities and through the read model's lists.
/// </summary>
public sealed class UpgradeFromD88d1e5Tests
{
    private static readonly string[] Tenants = ["demo", "ops"];

    /// <summary>The old node's guests are stopped (its servers are not part of the fixture), so the status computed from
    /// heartbeats may differ; everything an entity stored must not.</summary>
    private static readonly string[] LiveFields = ["status", "operating_status"];

    [Fact]
    public async Task This_release_serves_the_instances_backups_configurations_and_tenants_that_d88d1e5_stored()
    {
        var before = UpgradeFixture.ApiBefore();
        var dataDir = TroveNode.NewDataDir();
        UpgradeFixture.RestoreInto(dataDir);
        await using var node = await TroveNode.StartAsync(dataDir, OpsUser());
        var problems = new List<string>();

        foreach (var tenant in Tenants)
        {
            var client = node.Client(tenant);
            var old = Normalized(before[$"{tenant} instances"], node)["instances"]!.AsArray();
            Assert.NotEmpty(old);
            foreach (var instance in old)
            {
                var id = (string)instance!["id"]!;
                var shown = await GetAsync(client, $"v1.0/{tenant}/instances/{id}");
                problems.AddRange(Compare(instance, shown?["instance"], $"{tenant} instance {id} (API)", LiveFields));
                // the API's show falls back to the read model when the entity does not answer; the admin endpoint does not
                var inspected = await node.AdminAsync("instance", "show", id);
                var state = inspected.Exit == 0 ? JsonNode.Parse(inspected.Output)?["state"] : null;
                if ((string?)state?["name"] != (string?)instance["name"])
                    problems.Add($"{tenant} instance {id} (entity): {inspected.Output.Trim()}");
            }
            var listed = await GetAsync(client, $"v1.0/{tenant}/instances/detail");
            problems.AddRange(CompareById(old, listed?["instances"]?.AsArray(), $"{tenant} instances (read model)"));

            var oldBackups = Normalized(before[$"{tenant} backups"], node)["backups"]!.AsArray();
            foreach (var backup in oldBackups)
            {
                var id = (string)backup!["id"]!;
                var shown = await GetAsync(client, $"v1.0/{tenant}/backups/{id}");
                problems.AddRange(Compare(backup, shown?["backup"], $"{tenant} backup {id} (entity)", []));
            }
            var listedBackups = await GetAsync(client, $"v1.0/{tenant}/backups");
            problems.AddRange(CompareById(oldBackups, listedBackups?["backups"]?.AsArray(), $"{tenant} backups (read model)"));

            var quotas = await GetAsync(node.Client("admin"), $"v1.0/admin/mgmt/quotas/{tenant}");
            problems.AddRange(Compare(before[$"{tenant} quotas"], quotas, $"{tenant} quotas and usage", []));
        }

        var configurations = await GetAsync(node.Client("demo"), "v1.0/demo/configurations");
        problems.AddRange(Compare(Normalized(before["demo configurations"], node), configurations, "demo configurations", []));

        foreach (var (tenant, kind, id) in DeletedEntities())
        {
            var response = await node.Client(tenant).GetAsync($"v1.0/{tenant}/{kind}s/{id}");
            if (response.StatusCode != HttpStatusCode.NotFound)
                problems.Add($"deleted {kind} {id} of {tenant} answers {(int)response.StatusCode}");
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));

        // and the entities take new events after the old ones (and after the old snapshots)
        var renamed = (string)before["demo instances"]["instances"]![0]!["id"]!;
        var rename = await node.Http.PutAsJsonAsync($"v1.0/demo/instances/{renamed}", new { instance = new { name = "after-upgrade" } });
        Assert.Equal(HttpStatusCode.Accepted, rename.StatusCode);
        Assert.Equal("after-upgrade", (string?)(await GetAsync(node.Http, $"v1.0/demo/instances/{renamed}"))?["instance"]?["name"]);
    }

    /// <summary>The fixture's second tenant, ops, next to the test node's own users.</summary>
    private static Dictionary<string, string> OpsUser()
    {
        var i = TroveNode.TestProjects.Length;
        return new Dictionary<string, string>
        {
            [$"Trove__Auth__Users__{i}__Name"] = "ops", [$"Trove__Auth__Users__{i}__Password"] = "ops",
            [$"Trove__Auth__Users__{i}__Project"] = "ops", [$"Trove__Auth__Users__{i}__Roles__0"] = "member",
        };
    }

    /// <summary>The instances and backups the old node deleted, with their tenant, from their events in its journal.</summary>
    private static IEnumerable<(string Tenant, string Kind, string Id)> DeletedEntities()
    {
        var payloads = UpgradeFixture.StoredPayloads();
        foreach (var deleted in payloads.Where(p => p.Manifest is "instance.deleted.v1" or "backup.deleted.v1"))
        {
            var created = payloads.Single(p => p.PersistenceId == deleted.PersistenceId && p.SequenceNr == 1);
            var kind = deleted.PersistenceId[..deleted.PersistenceId.IndexOf('-')];
            var createdJson = JsonNode.Parse(created.Bytes)!;
            var tenant = (string)(createdJson["TenantId"] ?? createdJson["Request"]!["TenantId"])!; // a backup's is in its request
            yield return (tenant, kind, deleted.PersistenceId[(kind.Length + 1)..]);
        }
    }

    private static async Task<JsonObject?> GetAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonObject>() : null;
    }

    /// <summary>The old answer with its links pointing at the new node, as it would write them.</summary>
    private static JsonObject Normalized(JsonObject old, TroveNode node) =>
        JsonNode.Parse(old.ToJsonString().Replace(UpgradeFixture.OldBaseAddress, node.BaseAddress.ToString()))!.AsObject();

    private static IEnumerable<string> Compare(JsonNode? old, JsonNode? now, string what, string[] ignored)
    {
        if (now is null)
            return [$"{what}: not found"];
        var (o, n) = (old!.DeepClone(), now.DeepClone());
        foreach (var field in ignored)
        {
            o.AsObject().Remove(field);
            n.AsObject().Remove(field);
        }
        return JsonSubset.Missing(o, n, "$").Select(m => $"{what}: {m}");
    }

    private static IEnumerable<string> CompareById(JsonArray old, JsonArray? now, string what)
    {
        if (now is null)
            return [$"{what}: no list"];
        var nowById = now.ToDictionary(i => (string)i!["id"]!);
        var problems = old.SelectMany(i => nowById.TryGetValue((string)i!["id"]!, out var n)
            ? Compare(i, n, $"{what} {(string)i["id"]!}", LiveFields)
            : [$"{what}: {(string)i["id"]!} is not listed"]).ToList();
        if (now.Count != old.Count)
            problems.Add($"{what}: {old.Count} before, {now.Count} now");
        return problems;
    }
}
