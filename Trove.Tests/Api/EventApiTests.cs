using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Trove.Tests.EndToEnd;
using Trove.Tests.Support;

namespace Trove.Tests.Api;

/// <summary>An instance's history and the live stream of changes, against the real node with a real guest and engine.</summary>
[Collection("node")]
public sealed class EventApiTests(NodeFixture fixture)
{
    private const string Tenant = "events";
    private static readonly TimeSpan Build = TimeSpan.FromSeconds(120);
    private TroveNode Node => fixture.Node;

    [Fact]
    public async Task The_stream_shows_BUILD_to_ACTIVE_rename_restart_and_delete_resumes_after_Last_Event_ID_and_the_history_tells_it_all()
    {
        var client = Node.Client(Tenant);
        await using var stream = await EventStreamClient.OpenAsync(client, $"v1.0/{Tenant}/events/stream");
        await using var otherTenant = await EventStreamClient.OpenAsync(Node.Client("someone-else"), "v1.0/someone-else/events/stream");
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        Assert.Equal("text/event-stream", stream.ContentType);

        var id = (string)(await Node.CreateInstanceAsync(Tenant, DatabaseUserRootTests.CreateBody("streamed", "postgresql", "15")))["id"]!;
        await using var ofInstance = await EventStreamClient.OpenAsync(client, $"v1.0/{Tenant}/instances/{id}/events/stream");
        var built = await stream.UntilAsync(m => m.EntityId == id && m.Status == "ACTIVE", Build);
        Assert.Equal(("created", "BUILD"), (built[0].Type, built[0].Status));
        Assert.Equal("instance", built[0].Event);
        Assert.Equal("build_completed", built[^1].Type);
        // the message holds the instance as a show answers it
        var shown = await Node.ShowAsync(Tenant, id);
        foreach (var key in new[] { "id", "name", "status", "flavor", "datastore", "links", "created", "volume" })
            Assert.True(built[^1].Entity!.ContainsKey(key), $"no '{key}' in {built[^1].Entity!.ToJsonString()}");
        Assert.Equal((string?)shown!["name"], (string?)built[^1].Entity!["name"]);
        Assert.Equal((string?)shown["created"], (string?)built[^1].Entity!["created"]);

        Assert.Equal(HttpStatusCode.Accepted, (await client.PutAsJsonAsync($"v1.0/{Tenant}/instances/{id}", new { instance = new { name = "renamed" } })).StatusCode);
        var renamed = await stream.UntilAsync(m => m.EntityId == id && m.Type == "renamed", Build);
        Assert.Equal("renamed", (string?)renamed[^1].Entity!["name"]);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync($"v1.0/{Tenant}/instances/{id}/action", new { restart = new { } })).StatusCode);
        var restarted = await stream.UntilAsync(m => m.EntityId == id && m.Type == "restart_completed", Build);
        Assert.Contains(restarted, m => m.Type == "restart_started" && m.Status == "REBOOT");
        Assert.Equal(HttpStatusCode.Accepted, (await client.DeleteAsync($"v1.0/{Tenant}/instances/{id}")).StatusCode);
        var deleted = await stream.UntilAsync(m => m.EntityId == id && m.Type == "deleted", Build);
        Assert.Equal("DELETED", deleted[^1].Status);

        // the one instance's stream saw the same, from where it was opened
        var sent = built.Concat(renamed).Concat(restarted).Concat(deleted).Where(m => m.EntityId == id).ToList();
        var ofOne = await ofInstance.UntilAsync(m => m.Id == sent[^1].Id, TimeSpan.FromSeconds(30));
        Assert.All(ofOne, m => Assert.Equal(id, m.EntityId));
        Assert.Equal(sent.Select(m => m.Id).Where(i => i >= ofOne[0].Id), ofOne.Select(m => m.Id));

        // a client back after the first message gets exactly the ones it missed, in order
        var all = built.Concat(renamed).Concat(restarted).Concat(deleted).ToList();
        await using (var resumed = await EventStreamClient.OpenAsync(client, $"v1.0/{Tenant}/events/stream", lastEventId: all[0].Id))
        {
            var missed = await resumed.UntilAsync(m => m.Id == all[^1].Id, TimeSpan.FromSeconds(30));
            Assert.Equal(all.Skip(1).Select(m => m.Id), missed.Select(m => m.Id));
        }
        await using (var byQuery = await EventStreamClient.OpenAsync(client, $"v1.0/{Tenant}/events/stream?last_event_id={all[^2].Id}"))
            Assert.Equal(all[^1].Id, (await byQuery.UntilAsync(_ => true, TimeSpan.FromSeconds(30)))[0].Id);

        // the instance's stream, resumed after the instance is gone, still sends what was missed up to its deletion
        await using (var afterDelete = await EventStreamClient.OpenAsync(client, $"v1.0/{Tenant}/instances/{id}/events/stream", lastEventId: sent[^2].Id))
            Assert.Equal("DELETED", (await afterDelete.UntilAsync(_ => true, TimeSpan.FromSeconds(30)))[0].Status);

        // the history, from the journal, paged
        var history = await HistoryAsync(client, $"v1.0/{Tenant}/instances/{id}/events?limit=1000");
        var types = history.Select(e => (string)e["type"]!).ToList();
        Assert.Equal(["created", "server_accepted", "server_created"], types.Take(3)); // the server is the instance's before it runs
        foreach (var type in new[] { "build_completed", "renamed", "restart_started", "restart_completed", "delete_requested", "deleted" })
            Assert.Contains(type, types);
        Assert.True(types.IndexOf("build_completed") < types.IndexOf("renamed") && types.IndexOf("renamed") < types.IndexOf("restart_started"));
        Assert.Equal("DELETED", (string?)history[^1]["status"]);
        Assert.Equal("BUILDING", (string?)history[0]["task"]);
        var ids = history.Select(e => (long)e["id"]!).ToList(); // the journal's sequence numbers (the quota hold's events are not history)
        Assert.Equal(ids.Order().Distinct(), ids);
        Assert.DoesNotContain(PostgresInstanceTests.Password, history.ToJsonString());
        // who asked: the requests' caller, the same user for each; nobody for what the system did itself
        var asked = history.Where(e => (string)e["type"]! is "created" or "renamed" or "restart_started" or "delete_requested").Select(e => (string?)e["user"]).ToList();
        Assert.Equal(4, asked.Count);
        Assert.Single(asked.Distinct());
        Assert.False(string.IsNullOrEmpty(asked[0]));
        Assert.Null((string?)history.Single(e => (string)e["type"]! == "build_completed")["user"]);

        var firstPage = await client.GetFromJsonAsync<JsonObject>($"v1.0/{Tenant}/instances/{id}/events?limit=2");
        Assert.Equal(ids.Take(2), firstPage!["events"]!.AsArray().Select(e => (long)e!["id"]!));
        var next = (string)firstPage["links"]![0]!["href"]!;
        Assert.Contains($"marker={ids[1]}", next);
        var secondPage = await client.GetFromJsonAsync<JsonObject>(new Uri(next).PathAndQuery.TrimStart('/'));
        Assert.Equal(ids.Skip(2).Take(2), secondPage!["events"]!.AsArray().Select(e => (long)e!["id"]!));

        // another tenant sees nothing of it
        Assert.Empty(otherTenant.Pending());
        var other = Node.Client("someone-else");
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"v1.0/someone-else/instances/{id}/events")).StatusCode);
        Assert.False((await other.GetAsync($"v1.0/{Tenant}/instances/{id}/events")).IsSuccessStatusCode); // the tenant check of the route group
    }

    [Fact]
    public async Task Another_tenant_s_instance_stream_and_history_are_not_found_and_bad_ids_are_refused()
    {
        var id = (string)(await Node.CreateInstanceAsync(Tenant, DatabaseUserRootTests.CreateBody("private", "postgresql", "15")))["id"]!;
        try
        {
            var other = Node.Client("someone-else");
            await using var stream = await EventStreamClient.OpenAsync(other, $"v1.0/someone-else/instances/{id}/events/stream");
            Assert.Equal(HttpStatusCode.NotFound, stream.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"v1.0/someone-else/instances/{id}/events")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"v1.0/someone-else/instances/{Guid.NewGuid()}/events")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"v1.0/someone-else/backups/{Guid.NewGuid()}/events")).StatusCode);

            var client = Node.Client(Tenant);
            Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync($"v1.0/{Tenant}/events/stream?last_event_id=yesterday")).StatusCode);
            var badMarker = await client.GetAsync($"v1.0/{Tenant}/instances/{id}/events?marker=x");
            Assert.Equal(HttpStatusCode.BadRequest, badMarker.StatusCode);
            Assert.Equal(400, (int?)(await badMarker.Content.ReadFromJsonAsync<JsonObject>())!["badRequest"]!["code"]);
        }
        finally
        {
            await Node.Client(Tenant).DeleteAsync($"v1.0/{Tenant}/instances/{id}");
        }
    }

    [Fact]
    public async Task A_backup_shows_on_its_instance_s_stream_until_COMPLETED_and_deleted_and_has_its_own_history()
    {
        var client = Node.Client(Tenant);
        var id = (string)(await Node.CreateInstanceAsync(Tenant, DatabaseUserRootTests.CreateBody("backed-up", "postgresql", "15")))["id"]!;
        try
        {
            await using var stream = await EventStreamClient.OpenAsync(client, $"v1.0/{Tenant}/instances/{id}/events/stream");
            await stream.UntilAsync(m => m.EntityId == id && m.Status == "ACTIVE", Build);
            var backupId = (string)(await Node.CreateBackupAsync(Tenant, id, "streamed-backup"))["id"]!;
            var taken = await stream.UntilAsync(m => m.Event == "backup" && m.Status == "COMPLETED", Build);
            Assert.Contains(taken, m => m.Event == "instance" && m.Status == "BACKUP");
            var backup = taken[^1];
            Assert.Equal(backupId, backup.EntityId);
            Assert.Equal(id, (string?)backup.Entity!["instance_id"]);
            Assert.Equal(Tenant, (string?)backup.Entity!["project_id"]);
            Assert.Equal(HttpStatusCode.Accepted, (await client.DeleteAsync($"v1.0/{Tenant}/backups/{backupId}")).StatusCode);
            Assert.Equal("DELETED", (await stream.UntilAsync(m => m.EntityId == backupId && m.Type == "deleted", Build))[^1].Status);

            var history = await HistoryAsync(client, $"v1.0/{Tenant}/backups/{backupId}/events");
            Assert.Equal("created", (string?)history[0]["type"]);
            Assert.Contains(history, e => (string?)e!["type"] == "progressed" && (string?)e["status"] == "COMPLETED");
            Assert.Equal("deleted", (string?)history.Last(e => (string?)e!["type"] != "quota_returned" && (string?)e!["type"] != "end_acknowledged")!["type"]);
            Assert.Equal(HttpStatusCode.NotFound, (await Node.Client("someone-else").GetAsync($"v1.0/someone-else/backups/{backupId}/events")).StatusCode);
        }
        finally
        {
            await client.DeleteAsync($"v1.0/{Tenant}/instances/{id}");
        }
    }

    [Fact]
    public async Task Every_stream_of_the_node_is_fed_by_one_reader_of_the_journal_that_stops_with_the_last_stream()
    {
        var client = Node.Client(Tenant);
        var streams = new List<EventStreamClient>();
        for (var i = 0; i < 3; i++)
            streams.Add(await EventStreamClient.OpenAsync(client, i == 0 ? $"v1.0/{Tenant}/events/stream" : $"v1.0/{Tenant}/events/stream?last_event_id=0"));
        try
        {
            Assert.Equal((3, 1), await StreamGaugesAsync(g => g.Open == 3));
            var id = (string)(await Node.CreateInstanceAsync(Tenant, DatabaseUserRootTests.CreateBody("fed-once", "postgresql", "15")))["id"]!;
            await client.DeleteAsync($"v1.0/{Tenant}/instances/{id}");
            // The two streams that started at the journal's beginning caught up, then joined the one reader: each has the
            // new instance's changes once, in the order the stream from "now" has them.
            var live = await streams[0].UntilAsync(m => m.EntityId == id && m.Type == "deleted", Build);
            foreach (var resumed in streams.Skip(1))
            {
                var all = await resumed.UntilAsync(m => m.EntityId == id && m.Type == "deleted", Build);
                Assert.Equal(all.Select(m => m.Id).Distinct(), all.Select(m => m.Id));
                Assert.Equal(live.Where(m => m.EntityId == id).Select(m => m.Id), all.Where(m => m.EntityId == id).Select(m => m.Id));
            }
        }
        finally
        {
            foreach (var stream in streams)
                await stream.DisposeAsync();
        }
        Assert.Equal((0, 0), await StreamGaugesAsync(g => g is (0, 0)));
    }

    /// <summary>The node's open streams and its journal readers for them, once <paramref name="until"/> holds (or after a while).</summary>
    private async Task<(long Open, long Readers)> StreamGaugesAsync(Func<(long Open, long Readers), bool> until)
    {
        using var anonymous = Node.Anonymous();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var lines = (await anonymous.GetStringAsync("metrics")).Split('\n');
            long Gauge(string name) => lines.Where(l => l.StartsWith(name + "{", StringComparison.Ordinal) || l.StartsWith(name + " ", StringComparison.Ordinal))
                .Select(l => (long)double.Parse(l[(l.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
            var gauges = (Gauge("trove_event_streams_open"), Gauge("trove_event_streams_journal_readers"));
            if (until(gauges) || DateTime.UtcNow > deadline)
                return gauges;
            await Task.Delay(250);
        }
    }

    private static async Task<JsonArray> HistoryAsync(HttpClient client, string path) =>
        (await client.GetFromJsonAsync<JsonObject>(path))!["events"]!.AsArray();
}
