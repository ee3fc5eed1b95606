using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Trove.Tests.Support;

namespace Trove.Tests.Api;

/// <summary>Bad input to the instance API: Trove's error body, and nothing persisted or started.</summary>
[Collection("node")]
public sealed class InstanceApiTests(NodeFixture fixture)
{
    private TroveNode Node => fixture.Node;

    public static TheoryData<string, int, string, string> BadCreates => new()
    {
        { "{not json", 400, "badRequest", "Malformed" },
        { "{}", 400, "badRequest", "'instance'" },
        { "[]", 400, "badRequest", "JSON object" },
        { """{"instance": []}""", 400, "badRequest", "'instance' object" },
        { """{"instance": {"name": "x", "name": "y", "flavorRef": "small", "volume": {"size": 1}}}""", 400, "badRequest", "Malformed" },
        { """{"instance": {"name": "LONG", "flavorRef": "small", "volume": {"size": 1}}}""".Replace("LONG", new string('x', 256)), 400, "badRequest", "'name'" },
        { """{"instance": {"name": "x", "flavorRef": "small", "volume": {"size": 1}, "users": [{"name": "app", "password": "p", "host": "LONG"}]}}""".Replace("LONG", new string('h', 256)), 400, "badRequest", "'host'" },
        { """{"instance": {"flavorRef": "small", "volume": {"size": 1}}}""", 400, "badRequest", "'name'" },
        { """{"instance": {"name": " ", "flavorRef": "small", "volume": {"size": 1}}}""", 400, "badRequest", "'name'" },
        { """{"instance": {"name": "x", "volume": {"size": 1}}}""", 400, "badRequest", "'flavorRef'" },
        { """{"instance": {"name": "x", "flavorRef": "huge", "volume": {"size": 1}}}""", 404, "itemNotFound", "Flavor 'huge'" },
        { """{"instance": {"name": "x", "flavorRef": "small", "volume": {"size": 1}, "datastore": {"type": "oracle"}}}""", 404, "itemNotFound", "Datastore 'oracle'" },
        { """{"instance": {"name": "x", "flavorRef": "small", "volume": {"size": 1}, "datastore": {"type": "postgresql", "version": "9"}}}""", 404, "itemNotFound", "version '9'" },
        { """{"instance": {"name": "x", "flavorRef": "small"}}""", 400, "badRequest", "'volume'" },
        { """{"instance": {"name": "x", "flavorRef": "small", "volume": {"size": 0}}}""", 400, "badRequest", "at least 1" },
        { """{"instance": {"name": "x", "flavorRef": "small", "volume": {"size": "two"}}}""", 400, "badRequest", "'two'" },
        { """{"instance": {"name": "x", "flavorRef": "small", "volume": {"size": 500}}}""", 400, "badRequest", "maximum" },
        { """{"instance": {"name": "x", "flavorRef": "small", "volume": {"size": 1}, "databases": [{"name": "bad name;"}]}}""", 400, "badRequest", "not a valid database name" },
        { """{"instance": {"name": "x", "flavorRef": "small", "volume": {"size": 1}, "databases": [{"name": "postgres"}]}}""", 400, "badRequest", "reserved" },
        { """{"instance": {"name": "x", "flavorRef": "small", "volume": {"size": 1}, "databases": [{"name": "a"}, {"name": "a"}]}}""", 400, "badRequest", "more than once" },
        { """{"instance": {"name": "x", "flavorRef": "small", "volume": {"size": 1}, "users": [{"name": "1app", "password": "p"}]}}""", 400, "badRequest", "not a valid user name" },
        { """{"instance": {"name": "x", "flavorRef": "small", "volume": {"size": 1}, "users": [{"name": "app"}]}}""", 400, "badRequest", "password" },
        { """{"instance": {"name": "x", "flavorRef": "small", "volume": {"size": 1}, "users": [{"name": "app", "password": "p"}, {"name": "app", "password": "q"}]}}""", 400, "badRequest", "more than once" },
        { """{"instance": {"name": "x", "flavorRef": "small", "volume": {"size": 1}, "users": [{"name": "app", "password": "p", "databases": [{"name": "nope"}]}]}}""", 400, "badRequest", "'nope'" },
        { """{"instance": {"name": "x", "replica_of": "abc"}}""", 400, "badRequest", "'replica_of' must be an instance's id" },
        { """{"instance": {"name": "x", "flavorRef": "small", "replica_of": "4f1c0ad4-5f3e-4a43-9a57-3b5f1f1f0d11"}}""", 400, "badRequest", "Cannot specify flavor when creating replicas." },
        { """{"instance": {"name": "x", "datastore": {"type": "postgresql"}, "replica_of": "4f1c0ad4-5f3e-4a43-9a57-3b5f1f1f0d11"}}""", 400, "badRequest", "Cannot specify datastore when creating replicas." },
        { """{"instance": {"name": "x", "volume": {"size": 1}, "replica_of": "4f1c0ad4-5f3e-4a43-9a57-3b5f1f1f0d11"}}""", 400, "badRequest", "Cannot specify volume when creating replicas." },
        { """{"instance": {"name": "x", "locality": "affinity", "replica_of": "4f1c0ad4-5f3e-4a43-9a57-3b5f1f1f0d11"}}""", 400, "badRequest", "Cannot specify locality when creating replicas." },
        { """{"instance": {"name": "x", "databases": [{"name": "a"}], "replica_of": "4f1c0ad4-5f3e-4a43-9a57-3b5f1f1f0d11"}}""", 400, "badRequest", "Cannot create a replica with users or databases." },
        { """{"instance": {"name": "x", "users": [{"name": "app", "password": "p"}], "slave_of": "4f1c0ad4-5f3e-4a43-9a57-3b5f1f1f0d11"}}""", 400, "badRequest", "Cannot create a replica with users or databases." },
        { """{"instance": {"name": "x", "replica_of": "4f1c0ad4-5f3e-4a43-9a57-3b5f1f1f0d11", "replica_count": 4}}""", 400, "badRequest", "'replica_count'" },
        { """{"instance": {"name": "x", "flavorRef": "small", "volume": {"size": 1}, "replica_count": 2}}""", 400, "badRequest", "Replica count only valid when creating replicas. Cannot create 2 instances." },
        { """{"instance": {"name": "x", "replica_of": "4f1c0ad4-5f3e-4a43-9a57-3b5f1f1f0d11"}}""", 404, "itemNotFound", "Instance 4f1c0ad4-5f3e-4a43-9a57-3b5f1f1f0d11 cannot be found." },
        { """{"instance": {"name": "x", "flavorRef": "small", "volume": {"size": 1}, "configuration": "abc"}}""", 404, "itemNotFound", "Configuration group abc" },
        { """{"instance": {"name": "x", "flavorRef": "small", "volume": {"size": 1}, "configuration": 5}}""", 400, "badRequest", "'configuration' must be a string" },
        { """{"instance": {"name": "x", "flavorRef": "small", "volume": {"size": 1}, "configuration": ""}}""", 400, "badRequest", "'configuration' must be a group's id" },
        { """{"instance": {"name": "x", "flavorRef": "small", "volume": {"size": 1}, "datastore": {"type": "mariadb"}, "databases": [{"name": "mysql"}]}}""", 400, "badRequest", "reserved" },
        { """{"instance": {"name": "x", "flavorRef": "small", "volume": {"size": 1}, "restorePoint": {"backupRef": "4f1c0ad4-5f3e-4a43-9a57-3b5f1f1f0d11", "restore_time": "yesterday"}}}""", 400, "badRequest", "'restore_time' yesterday is not an ISO 8601 time" },
        { """{"instance": {"name": "x", "flavorRef": "small", "volume": {"size": 1}, "restorePoint": {"backupRef": "4f1c0ad4-5f3e-4a43-9a57-3b5f1f1f0d11", "restore_time": "12/06/2026 10:00"}}}""", 400, "badRequest", "is not an ISO 8601 time" },
        { """{"instance": {"name": "x", "flavorRef": "small", "volume": {"size": 1}, "restorePoint": {"backupRef": "4f1c0ad4-5f3e-4a43-9a57-3b5f1f1f0d11", "restore_time": "2026-02-30T10:00:00Z"}}}""", 400, "badRequest", "is not an ISO 8601 time" },
        { """{"instance": {"name": "x", "flavorRef": "small", "volume": {"size": 1}, "restorePoint": {"backupRef": "4f1c0ad4-5f3e-4a43-9a57-3b5f1f1f0d11", "restore_time": "2999-01-01T00:00:00Z"}}}""", 400, "badRequest", "'restore_time' 2999-01-01T00:00:00Z is in the future." },
        { """{"instance": {"name": "x", "flavorRef": "small", "volume": {"size": 1}, "restorePoint": {"restore_time": "2020-01-01T00:00:00Z"}}}""", 400, "badRequest", "'backupRef' is required." },
    };

    [Theory]
    [MemberData(nameof(BadCreates))]
    public async Task A_bad_create_is_refused_with_trove_s_error_and_creates_nothing(string body, int code, string fault, string message)
    {
        const string tenant = "validation";
        var response = await Node.Client(tenant).PostAsync($"v1.0/{tenant}/instances", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(code, (int)response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonObject>())![fault]!;
        Assert.Equal(code, (int?)error["code"]);
        Assert.Contains(message, (string?)error["message"]);

        var list = await Node.Client(tenant).GetFromJsonAsync<JsonObject>($"v1.0/{tenant}/instances");
        Assert.Empty(list!["instances"]!.AsArray());
    }

    [Fact]
    public async Task An_unknown_instance_is_not_found_for_show_and_delete()
    {
        var id = Guid.NewGuid();
        var show = await Node.Http.GetAsync($"v1.0/demo/instances/{id}");
        Assert.Equal(HttpStatusCode.NotFound, show.StatusCode);
        Assert.Contains(id.ToString(), (string?)(await show.Content.ReadFromJsonAsync<JsonObject>())!["itemNotFound"]!["message"]);
        Assert.Equal(HttpStatusCode.NotFound, (await Node.Http.DeleteAsync($"v1.0/demo/instances/{id}")).StatusCode);
    }

    [Fact]
    public async Task A_bad_limit_is_refused()
    {
        var response = await Node.Http.GetAsync("v1.0/demo/instances?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
