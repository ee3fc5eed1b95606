using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Trove.Tests.Support;

namespace Trove.Tests.EndToEnd;

/// <summary>Guest logs with a real engine: the error log is always there, the general log records statements once
/// enabled, a publish copies a log into the backup storage where its route (and the Swift API troveclient reads) returns
/// it, a discard removes the copy; another tenant reaches none of it.</summary>
[Collection("node")]
public sealed class GuestLogTests(NodeFixture fixture)
{
    private TroveNode Node => fixture.Node;

    [Theory]
    [InlineData("postgresql", "15", "CREATE DATABASE")]
    [InlineData("mariadb", "10.11", "CREATE DATABASE")]
    public async Task The_general_log_is_enabled_published_read_and_discarded(string datastore, string version, string statement)
    {
        var http = Node.Http;
        var id = (string)(await Node.CreateInstanceAsync("demo", new
        {
            instance = new { name = $"logs-{datastore}", flavorRef = "small", volume = new { size = 1 }, datastore = new { type = datastore, version } },
        }))["id"]!;
        await Node.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromMinutes(3));
        try
        {
            var logs = (await http.GetFromJsonAsync<JsonObject>($"v1.0/demo/instances/{id}/log"))!["logs"]!.AsArray();
            Assert.Equal(["error SYS Ready", "general USER Disabled"], logs.Select(l => $"{l!["name"]} {l["type"]} {l["status"]}"));
            Assert.Equal("database_logs", (string?)logs[0]!["container"]);

            var enabled = await LogAsync(id, new { name = "general", enable = 1 });
            Assert.Equal("Enabled", (string?)enabled["status"]);
            var created = await http.PostAsJsonAsync($"v1.0/demo/instances/{id}/databases", new { databases = new[] { new { name = "logged_db" } } });
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());

            var publish = await LogAsync(id, new { name = "general", publish = 1 });
            Assert.Equal("Published", (string?)publish["status"]);
            Assert.True((long)publish["published"]! > 0, publish.ToJsonString());
            var text = await http.GetStringAsync($"v1.0/demo/instances/{id}/log/general");
            Assert.Contains(statement, text, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("logged_db", text);

            // What troveclient's log tail reads: the container by the log's prefix, the object's lines, its text.
            var prefix = (string)publish["prefix"]!;
            var objects = (await http.GetFromJsonAsync<JsonArray>($"v1.0/demo/swift/database_logs?format=json&prefix={prefix}"))!;
            var objectName = (string)objects.Single()!["name"]!;
            var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"v1.0/demo/swift/database_logs/{objectName}"));
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.True(int.Parse(head.Headers.GetValues("X-Object-Meta-Lines").Single()) >= 1, text);
            Assert.Equal(text, await http.GetStringAsync($"v1.0/demo/swift/database_logs/{objectName}"));

            // Another tenant reaches neither the log nor its copy.
            var other = Node.Client("other");
            Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"v1.0/other/instances/{id}/log")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"v1.0/other/instances/{id}/log/general")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"v1.0/other/swift/database_logs/{objectName}")).StatusCode);

            var disabled = await LogAsync(id, new { name = "general", disable = 1, discard = 1 });
            Assert.Equal(("Disabled", 0L), ((string?)disabled["status"], (long)disabled["published"]!));
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"v1.0/demo/instances/{id}/log/general")).StatusCode);

            Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsJsonAsync($"v1.0/demo/instances/{id}/log", new { name = "error", disable = 1 })).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsJsonAsync($"v1.0/demo/instances/{id}/log", new { name = "general", enable = 1, disable = 1 })).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsJsonAsync($"v1.0/demo/instances/{id}/log", new { name = "slow_query" })).StatusCode);
            var error = await LogAsync(id, new { name = "error", publish = 1 });
            Assert.Equal("Published", (string?)error["status"]);
            Assert.NotEmpty(await http.GetStringAsync($"v1.0/demo/instances/{id}/log/error"));
        }
        finally
        {
            await http.DeleteAsync($"v1.0/demo/instances/{id}");
        }
    }

    private async Task<JsonObject> LogAsync(string id, object body)
    {
        var response = await Node.Http.PostAsJsonAsync($"v1.0/demo/instances/{id}/log", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!["log"]!.AsObject();
    }
}
