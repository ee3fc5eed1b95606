using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Trove.Bench;

/// <summary>
/// The load of scripts/rolling-restart: a tenant's client that creates, shows, lists, renames and adds databases and
/// users, and takes a backup and resizes a volume once each instance is ACTIVE, round-robin over the nodes
/// (<see cref="RoundRobinClient"/>), until a stop file appears; any answer that is not a success is a failure.
/// Afterwards it checks that what was acknowledged is there, and deletes the instances it made.
/// </summary>
public sealed class ApiLoad(IReadOnlyList<Uri> nodes, string token) : IDisposable
{
    private const string Tenant = "demo";
    private readonly RoundRobinClient _client = new(nodes, token, fails: status => (int)status is < 200 or > 299);

    public static async Task<int> RunAsync(string nodeList, string user, string password, string stopFile, int maxCreates)
    {
        var nodes = nodeList.Split(',').Select(n => new Uri($"http://{n}/")).ToList();
        using var load = new ApiLoad(nodes, await LoginAsync(nodes[0], user, password));
        return await load.RunAsync(stopFile, maxCreates);
    }

    private async Task<int> RunAsync(string stopFile, int maxCreates)
    {
        // a server made before the roll, that every node's proxy reaches through the shards as the nodes change
        var (_, first) = await SendAsync("create", HttpMethod.Post, $"v1.0/{Tenant}/instances", CreateBody("roll-0"));
        var created = new List<string> { (string)first!["instance"]!["id"]! };
        if (!await WaitActiveAsync(created[0]))
        {
            Console.WriteLine($"instance {created[0]} did not become ACTIVE before the roll");
            return 1;
        }
        Console.WriteLine("rolling may start");
        var renamed = created[0];
        string? lastName = null;
        var databases = new List<string>();
        var users = new List<string>();
        string? backupId = null, resizedId = null;
        var watch = Stopwatch.StartNew();
        for (var n = 1; !File.Exists(stopFile); n++)
        {
            await SendAsync("list", HttpMethod.Get, $"v1.0/{Tenant}/instances");
            await SendAsync("show", HttpMethod.Get, $"v1.0/{Tenant}/instances/{created[n % created.Count]}");
            var name = $"roll-renamed-{n}";
            if ((await SendAsync("rename", HttpMethod.Put, $"v1.0/{Tenant}/instances/{renamed}", new { instance = new { name } })).Status == HttpStatusCode.Accepted)
                lastName = name;
            if (n % 5 == 0)
            {
                var database = $"roll_db_{n}";
                if ((await SendAsync("database", HttpMethod.Post, $"v1.0/{Tenant}/instances/{renamed}/databases",
                        new { databases = new[] { new { name = database } } })).Status == HttpStatusCode.Accepted)
                    databases.Add(database);
                var user = $"roll_user_{n}";
                if ((await SendAsync("user", HttpMethod.Post, $"v1.0/{Tenant}/instances/{renamed}/users",
                        new { users = new[] { new { name = user, password = "roll-password-1", databases = new[] { new { name = "app" } } } } })).Status
                    == HttpStatusCode.Accepted)
                    users.Add(user);
            }
            if (backupId is null && created.Count > 1 && await IsActiveAsync(created[1]))
                backupId = (string?)(await SendAsync("backup", HttpMethod.Post, $"v1.0/{Tenant}/backups",
                    new { backup = new { name = $"roll-backup-{n}", instance = created[1] } })).Body?["backup"]?["id"] ?? "";
            if (resizedId is null && created.Count > 2 && await IsActiveAsync(created[2]))
            {
                resizedId = created[2];
                await SendAsync("resize", HttpMethod.Post, $"v1.0/{Tenant}/instances/{resizedId}/action", new { resize = new { volume = new { size = 2 } } });
            }
            if (n % 15 == 0 && created.Count < maxCreates)
            {
                var (status, body) = await SendAsync("create", HttpMethod.Post, $"v1.0/{Tenant}/instances", CreateBody($"roll-{n}"));
                if (status == HttpStatusCode.OK)
                    created.Add((string)body!["instance"]!["id"]!);
            }
            await Task.Delay(150); // a client's pace, under the default per-node rate limit
        }
        var during = watch.Elapsed;

        var lost = new List<string>();
        foreach (var id in created)
            if (!await WaitActiveAsync(id))
                lost.Add($"instance {id} did not become ACTIVE");
        var (_, shown) = await SendAsync("show", HttpMethod.Get, $"v1.0/{Tenant}/instances/{renamed}");
        if (lastName is not null && (string?)shown?["instance"]?["name"] != lastName)
            lost.Add($"rename: acknowledged '{lastName}', shows '{shown?["instance"]?["name"]}'");
        var (_, listed) = await SendAsync("databases", HttpMethod.Get, $"v1.0/{Tenant}/instances/{renamed}/databases?limit=1000");
        var names = listed?["databases"]?.AsArray().Select(d => (string?)d?["name"]).ToHashSet() ?? [];
        lost.AddRange(databases.Where(d => !names.Contains(d)).Select(d => $"database {d} acknowledged, not listed"));
        var (_, listedUsers) = await SendAsync("users", HttpMethod.Get, $"v1.0/{Tenant}/instances/{renamed}/users?limit=1000");
        var userNames = listedUsers?["users"]?.AsArray().Select(u => (string?)u?["name"]).ToHashSet() ?? [];
        lost.AddRange(users.Where(u => !userNames.Contains(u)).Select(u => $"user {u} acknowledged, not listed"));
        if (!string.IsNullOrEmpty(backupId) && await BackupStatusAsync(backupId) is var backup and not "COMPLETED")
            lost.Add($"backup {backupId} acknowledged, ended {backup}");
        if (resizedId is not null && (await WaitActiveAsync(resizedId) ? await VolumeSizeAsync(resizedId) : null) is var size and not 2)
            lost.Add($"resize of {resizedId} to 2 GB acknowledged, has {size?.ToString() ?? "no size"}");
        foreach (var id in created)
            await SendAsync("delete", HttpMethod.Delete, $"v1.0/{Tenant}/instances/{id}");

        Console.WriteLine($"load for {during.TotalSeconds:0} s: {_client.Summary()}; " +
                          $"instances created {created.Count}, acknowledged writes lost {lost.Count}");
        foreach (var line in _client.Failures.Concat(lost).Take(30))
            Console.WriteLine($"  {line}");
        return _client.Failures.Count == 0 && lost.Count == 0 ? 0 : 1;
    }

    private async Task<bool> IsActiveAsync(string id) =>
        (string?)(await SendAsync("poll", HttpMethod.Get, $"v1.0/{Tenant}/instances/{id}")).Body?["instance"]?["status"] is "ACTIVE";

    private async Task<int?> VolumeSizeAsync(string id) =>
        (int?)(await SendAsync("show", HttpMethod.Get, $"v1.0/{Tenant}/instances/{id}")).Body?["instance"]?["volume"]?["size"];

    private async Task<string?> BackupStatusAsync(string id)
    {
        string? status = null;
        for (var deadline = DateTime.UtcNow.AddMinutes(5); DateTime.UtcNow < deadline && status is not ("COMPLETED" or "FAILED"); await Task.Delay(1000))
            status = (string?)(await SendAsync("poll", HttpMethod.Get, $"v1.0/{Tenant}/backups/{id}")).Body?["backup"]?["status"];
        return status;
    }

    private async Task<bool> WaitActiveAsync(string id)
    {
        for (var deadline = DateTime.UtcNow.AddMinutes(5); DateTime.UtcNow < deadline; await Task.Delay(1000))
        {
            var (_, body) = await SendAsync("poll", HttpMethod.Get, $"v1.0/{Tenant}/instances/{id}");
            if ((string?)body?["instance"]?["status"] is "ACTIVE")
                return true;
            if ((string?)body?["instance"]?["status"] is "ERROR")
                return false;
        }
        return false;
    }

    private static object CreateBody(string name) => new
    {
        instance = new
        {
            name, flavorRef = "small", volume = new { size = 1 }, datastore = new { type = "postgresql", version = "15" },
            databases = new[] { new { name = "app" } },
        },
    };

    private Task<(HttpStatusCode? Status, JsonObject? Body)> SendAsync(string kind, HttpMethod method, string path, object? body = null) =>
        _client.SendAsync(kind, method, path, body);

    private static async Task<string> LoginAsync(Uri node, string user, string password)
    {
        using var http = new HttpClient();
        var response = await http.PostAsJsonAsync(new Uri(node, "v3/auth/tokens"), new
        {
            auth = new
            {
                identity = new { methods = new[] { "password" }, password = new { user = new { name = user, domain = new { id = "default" }, password } } },
                scope = new { project = new { name = user, domain = new { id = "default" } } },
            },
        });
        response.EnsureSuccessStatusCode();
        return response.Headers.GetValues("X-Subject-Token").Single();
    }

    public void Dispose() => _client.Dispose();
}
