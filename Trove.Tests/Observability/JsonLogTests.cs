using System.Text.Json;
using System.Text.Json.Nodes;
using Trove.Tests.Support;

namespace Trove.Tests.Observability;

/// <summary>
/// A node with <c>Trove:Logging:Format=json</c> writes one JSON object per line (Akka's entries too, until the host stops), and the lines of a request on one
/// instance's route carry that request's id and the instance's id (and tenant) as scopes.
/// </summary>
public sealed class JsonLogTests
{
    [Fact]
    public async Task Each_line_is_json_and_a_requests_lines_carry_its_request_id_and_instance_id()
    {
        var dataDir = TroveNode.NewDataDir();
        var instanceId = Guid.NewGuid().ToString();
        await using var node = await TroveNode.StartAsync(dataDir, new Dictionary<string, string>
        {
            ["Trove__Logging__Format"] = "json",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Information", // the request's own lines
        });
        await node.Http.GetAsync($"v1.0/demo/instances/{instanceId}");
        await node.StopAsync(); // every line written

        // Until the host stops: Akka's last lines of a shutdown, once the host's logger factory is gone, are its own text.
        var lines = (await File.ReadAllLinesAsync(Path.Combine(dataDir, "node.log"))).Where(l => l.Length > 0)
            .TakeWhile(l => !l.Contains("stopping: the API takes no new connections", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.StartsWith("{", l));
        var entries = lines.Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        Assert.Contains(entries, e => ((string?)e["Category"])?.StartsWith("Akka.", StringComparison.Ordinal) == true); // Akka's own entries too
        Assert.All(entries, e => Assert.NotNull(e["Timestamp"]));
        var ofRequest = entries.Where(e => Scope(e, "RequestPath") == $"/v1.0/demo/instances/{instanceId}").ToList();
        var requestIds = ofRequest.Select(e => Scope(e, "RequestId")).Distinct().ToList();
        Assert.Single(requestIds);
        Assert.False(string.IsNullOrEmpty(requestIds[0]));
        var routed = ofRequest.Where(e => ((string?)e["Category"])?.StartsWith("Microsoft.AspNetCore.Routing.EndpointMiddleware", StringComparison.Ordinal) == true).ToList();
        Assert.NotEmpty(routed);
        Assert.All(routed, e =>
        {
            Assert.Equal(instanceId, Scope(e, "InstanceId"));
            Assert.Equal("demo", Scope(e, "TenantId"));
        });
    }

    private static string? Scope(JsonObject entry, string name) =>
        (entry["Scopes"] as JsonArray ?? []).OfType<JsonObject>().Select(s => s[name]).OfType<JsonValue>()
            .Select(v => v.GetValueKind() == JsonValueKind.String ? (string?)v : v.ToJsonString()).FirstOrDefault();
}
