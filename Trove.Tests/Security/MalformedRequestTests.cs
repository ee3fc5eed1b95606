using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using Trove.Tests.Support;

namespace Trove.Tests.Security;

/// <summary>
/// A seeded generator of malformed, oversized, wrongly typed and injection-shaped requests over every route, as tenant
/// <c>other</c> (which owns nothing), as an admin on <c>other</c>'s routes, and without a valid token. Every body is
/// invalid by construction (no generated value is an object, so no create or change can be well formed), and ids are
/// never real, so every answer must be a 4xx in Trove's error format and nothing may be stored.
/// </summary>
[Collection("security")]
public sealed class MalformedRequestTests(SecurityNode fixture)
{
    private const int Seed = 20261201;
    private const int Count = 10_000;
    private const string Tenant = "other";

    private sealed record Attempt(string Method, string Path, string? Identity, byte[]? Body, string? ContentType, bool Oversized, bool OpenRoute);

    [Fact]
    public async Task Ten_thousand_malformed_requests_over_every_route_get_trove_s_4xx_and_change_nothing()
    {
        var node = fixture.Node;
        var routes = ApiRoutes.All.Where(r => (r.IsTenantRoute || r.Anonymous) && !r.IsOperatorRoute).ToList();
        var random = new Random(Seed);
        var attempts = Enumerable.Range(0, Count).Select(i => Generate(routes[i % routes.Count], random)).ToList();
        var clients = new Dictionary<string, HttpClient> { [Tenant] = node.Client(Tenant), [SecurityNode.Victim] = node.Client(SecurityNode.Victim), [""] = node.Anonymous() };

        var before = await StoreSnapshot.SettledAsync(node.DataDir, TimeSpan.FromSeconds(30));
        var failures = new ConcurrentQueue<string>();
        var answered = new ConcurrentDictionary<int, int>();
        await Parallel.ForEachAsync(attempts, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (attempt, _) =>
        {
            using var request = RawRequests.Request(node, attempt.Method, attempt.Path);
            if (attempt.Body is not null)
            {
                request.Content = new ByteArrayContent(attempt.Body);
                if (attempt.ContentType is not null)
                    request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(attempt.ContentType);
                // The server refuses an oversized body before it is sent, as a client that asks first allows.
                request.Headers.ExpectContinue = attempt.Oversized;
            }
            if (attempt.Identity == "forged")
                request.Headers.Add("X-Auth-Token", "forged." + attempt.Path.Length);
            var client = clients[attempt.Identity is Tenant or SecurityNode.Victim ? attempt.Identity : ""];
            try
            {
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                var status = (int)response.StatusCode;
                answered.AddOrUpdate(status, 1, (_, n) => n + 1);
                // A live stream the caller may open (its tenant's changes) does not end by itself: its answer is its headers.
                var body = response.Content.Headers.ContentType?.MediaType == "text/event-stream" ? "" : await response.Content.ReadAsStringAsync();
                // Dot segments may resolve a path to "/" or "/v1.0", whose version documents are open to all.
                if (status < 300 && attempt.Identity is null or "forged" && !attempt.OpenRoute && !(body.Length > 0 && IsVersionDocument(body)))
                    failures.Enqueue($"{status} without a valid token for {Describe(attempt)}");
                else if (status >= 500)
                    failures.Enqueue($"{status} for {Describe(attempt)}: {body[..Math.Min(200, body.Length)]}");
                else if (status >= 400 && RawRequests.ErrorBodyProblem(status, body, attempt.Method) is { } problem)
                    failures.Enqueue($"{status} for {Describe(attempt)}: {problem}");
            }
            catch (HttpRequestException e)
            {
                failures.Enqueue($"no answer for {Describe(attempt)}: {e.Message}");
            }
        });

        Assert.True(failures.IsEmpty, $"{failures.Count} of {Count} answers failed ({Summary(answered)}):\n{string.Join('\n', failures.Take(30))}");
        Assert.Equal(Count, answered.Values.Sum());
        Assert.Empty((await StoreSnapshot.SettledAsync(node.DataDir, TimeSpan.FromSeconds(10))).Differences(before));
        // Bad input is answered, never logged as a failure with a stack trace (a log anyone could fill).
        Assert.DoesNotContain("unhandled exception", await File.ReadAllTextAsync(Path.Combine(node.DataDir, "node.log")), StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsVersionDocument(string body) =>
        System.Text.Json.Nodes.JsonNode.Parse(body) is System.Text.Json.Nodes.JsonObject { Count: 1 } json && (json.ContainsKey("version") || json.ContainsKey("versions"));

    private static string Summary(ConcurrentDictionary<int, int> answered) =>
        string.Join(", ", answered.OrderBy(a => a.Key).Select(a => $"{a.Key}: {a.Value}"));

    private static string Describe(Attempt a) =>
        $"{a.Method} {(a.Path.Length > 200 ? a.Path[..200] + "..." : a.Path)} as {a.Identity ?? "nobody"} with {(a.Body is null ? "no body" : a.Body.Length > 300 ? $"{a.Body.Length} bytes" : Encoding.UTF8.GetString(a.Body))}";

    private static Attempt Generate(ApiRoute route, Random random)
    {
        var identity = random.NextDouble() switch
        {
            < 0.10 => null,
            < 0.20 => "forged",
            < 0.35 => SecurityNode.Victim, // an admin, on tenant other's routes
            _ => Tenant,
        };
        var method = random.NextDouble() < 0.05 ? Pick(random, ["GET", "POST", "PUT", "PATCH", "DELETE"]) : route.Method;
        var path = route.Path(parameter => parameter == "tenantId" && identity is not null && random.NextDouble() < 0.9 ? Tenant : Pick(random, InPath));
        if (random.NextDouble() < 0.3)
            path += $"?limit={Uri.EscapeDataString(Pick(random, InPath))}&marker={Uri.EscapeDataString(Pick(random, InPath))}&{Uri.EscapeDataString(Pick(random, Keys))}={Uri.EscapeDataString(Pick(random, InPath))}";
        if (!(method is "POST" or "PUT" or "PATCH" || random.NextDouble() < 0.1))
            return new Attempt(method, path, identity, null, null, false, route.Anonymous);
        var oversized = random.NextDouble() < 0.01;
        var body = oversized ? Oversized(random) : Body(random);
        return new Attempt(method, path, identity, body, Pick(random, ContentTypes), oversized, route.Anonymous);
    }

    private static byte[] Body(Random random) => random.Next(4) switch
    {
        0 => Malformed(random),
        1 => Encoding.UTF8.GetBytes(Pick(random, NotObjects)),
        2 => Encoding.UTF8.GetBytes($"{{{Quote(Pick(random, Keys))}: {Value(random)}}}"),
        _ => Encoding.UTF8.GetBytes($"{{{Quote(Pick(random, Keys))}: {{{string.Join(", ",
            Enumerable.Range(0, random.Next(1, 6)).Select(_ => $"{Quote(Pick(random, Fields))}: {Value(random)}"))}}}}}"),
    };

    private static byte[] Malformed(Random random) => random.Next(6) switch
    {
        0 => Encoding.UTF8.GetBytes(Pick(random, ["{", "{\"instance\":", "not json", "{'instance': {}}", "{\"a\": 1,}", "{\"a\" 1}", "", " ", "\u0000", "{\"instance\": {\"name\": \"x\""])),
        1 => [0xff, 0xfe, 0x7b, 0x00, 0x22],
        2 => Encoding.UTF8.GetBytes(new string('[', 200) + new string(']', 200)),
        3 => Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"a\": ", 100)) + "1" + new string('}', 100)),
        4 => Enumerable.Range(0, random.Next(1, 64)).Select(_ => (byte)random.Next(256)).ToArray(),
        _ => Encoding.UTF8.GetBytes("{\"instance\": {\"name\": \"\\ud800\"}}"),
    };

    private static byte[] Oversized(Random random) =>
        Encoding.UTF8.GetBytes($"{{\"instance\": {{\"name\": \"{new string('x', (int)Web.Hosting.TroveApiHosting.MaxRequestBodyBytes + random.Next(1, 1000))}\"}}}}");

    /// <summary>A value of any JSON kind but object: wrong where an object is wanted, and often wrong where a scalar is.</summary>
    private static string Value(Random random) => random.Next(6) switch
    {
        0 => Pick(random, ["1", "-1", "0", "1.5", "1e308", "-1e308", "99999999999999999999999", "true", "false", "null"]),
        1 => "[]",
        2 => $"[{Value(random)}, {Quote(Pick(random, Junk))}]",
        _ => Quote(Pick(random, Junk)),
    };

    private static string Quote(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private static readonly string[] NotObjects = ["[]", "[1,2]", "1", "-0", "\"instance\"", "null", "true", "[{\"instance\": {}}]", "1e309", "[[[]]]"];

    private static readonly string[] ContentTypes = ["application/json", "text/plain", "application/xml", "application/json; charset=utf-16", "application/x-www-form-urlencoded"];

    /// <summary>Top-level keys the routes read.</summary>
    private static readonly string[] Keys =
    [
        "instance", "backup", "configuration", "user", "users", "databases", "version", "quotas", "auth", "restart", "resize",
        "reset_status", "password", "active", "values", "name", "limit", "marker",
    ];

    /// <summary>Fields inside those objects.</summary>
    private static readonly string[] Fields =
    [
        "name", "description", "flavorRef", "volume", "datastore", "databases", "users", "password", "host", "instance", "values",
        "type", "version", "size", "restorePoint", "configuration", "parent_id", "incremental", "datastore_manager", "datastore_name",
        "active", "default", "character_set", "collate", "identity", "scope", "backupRef", "restore_time", "replica_of",
    ];

    /// <summary>Never a real id, name or password of this node.</summary>
    private static readonly string[] Junk =
    [
        "00000000-0000-0000-0000-000000000000", "nonexistent", "' OR '1'='1", "1; DROP TABLE event_journal;--", "\"; DROP TABLE entity_view; --",
        "../../etc/passwd", "..", ".", "<script>alert(1)</script>", "$(id)", "`id`", "a|b", "{\"$ne\": null}", new string('x', 300),
        new string('y', 5000), "ünïcødé", "😀", " ", "", "root@%", "app@'%'", "-1", "99999999999999999999", "null", "true", "\t\n",
        "%00", "%2F..%2F", "\\", "x\u0000y", "COPY x FROM PROGRAM 'id'", "${jndi:ldap://x}", "*", "%", "_",
    ];

    /// <summary>Junk for paths and queries: without what Kestrel itself refuses before any Trove code runs, with its own
    /// bare 400 or 414 (a NUL in the path, a request line over its 8 KB).</summary>
    private static readonly string[] InPath = Junk.Where(j => !j.Contains('\0') && j.Length <= 300).ToArray();
}
