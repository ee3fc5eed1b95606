using System.Net;
using Trove.Actors.Hosting;
using Trove.Tests.EndToEnd;
using Trove.Tests.Support;

namespace Trove.Tests.Observability;

/// <summary>
/// <c>/metrics</c> of a node that did real work (an instance built to ACTIVE by its guest and a real PostgreSQL, a backup
/// completed, lists read) holds every family an operator's dashboard reads, in Prometheus' text format, anonymously.
/// </summary>
[Collection("node")]
public sealed class MetricsTests(NodeFixture fixture)
{
    private TroveNode Node => fixture.Node;

    /// <summary>Each family (a line's start) and a label one of its lines must carry.</summary>
    private static readonly (string Family, string Label)[] Families =
    [
        ("http_server_request_duration_seconds_bucket{", "http_route=\"/v1.0/{tenantId}/instances/{id}\""),
        ("http_server_request_duration_seconds_bucket{", "http_response_status_code=\"200\""),
        ("trove_entities_active{", "type=\"instance\""),
        ("trove_shards_active{", "type=\"instance\""),
        ("trove_shard_regions{", "mode=\"region\""),
        ("trove_instances{", "status=\"ACTIVE\""),
        ("trove_amqp_messages_published_total{", "exchange="),
        ("trove_amqp_messages_consumed_total{", "otel_scope_name=\"Trove.Amqp\""),
        ("trove_heartbeat_age_seconds_bucket{", "le="),
        ("trove_instance_build_duration_seconds_bucket{", "outcome=\"ACTIVE\""),
        ("trove_backup_duration_seconds_bucket{", "outcome=\"COMPLETED\""),
        ("trove_journal_persist_duration_seconds_bucket{", "type=\"instance\""),
    ];

    [Fact]
    public async Task The_scrape_of_a_working_node_has_every_family()
    {
        var id = (string)(await Node.CreateInstanceAsync("demo", PostgresInstanceTests.CreateBody("metrics")))["id"]!;
        await Node.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(120));
        var backup = await Node.CreateBackupAsync("demo", id, "metrics");
        await Node.WaitForBackupAsync("demo", (string)backup["id"]!, "COMPLETED");
        Assert.Equal(HttpStatusCode.OK, (await Node.Http.GetAsync($"v1.0/demo/instances/{id}")).StatusCode);

        using var anonymous = Node.Anonymous();
        var deadline = DateTime.UtcNow + NodeGauges.InstancesEvery * 3; // the gauges are polled every few seconds
        string[] missing;
        string text;
        do
        {
            var response = await anonymous.GetAsync("metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            text = await response.Content.ReadAsStringAsync();
            var lines = text.Split('\n');
            missing = Families.Where(f => !lines.Any(l => l.StartsWith(f.Family, StringComparison.Ordinal) && l.Contains(f.Label, StringComparison.Ordinal)))
                .Select(f => $"{f.Family} {f.Label}").ToArray();
            if (missing.Length > 0)
                await Task.Delay(1000);
        } while (missing.Length > 0 && DateTime.UtcNow < deadline);
        Assert.True(missing.Length == 0, $"missing {string.Join(", ", missing)} in:\n{text}");

        await Node.Http.DeleteAsync($"v1.0/demo/instances/{id}");
    }
}
