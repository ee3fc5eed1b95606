using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Trove.Tests.Support;

namespace Trove.Tests.Security;

/// <summary>
/// One node whose tenant <c>admin</c> (the victim) owns real resources: an ACTIVE PostgreSQL instance with database
/// <c>appdb</c> and user <c>app</c>, a configuration group and a completed backup; tenant <c>demo</c> is the attacker.
/// </summary>
public sealed class SecurityNode : IAsyncLifetime
{
    public const string Victim = "admin";
    public const string Attacker = "demo";
    public const int TokenIssuePerMinute = 10;

    public TroveNode Node { get; private set; } = null!;
    public string InstanceId { get; private set; } = "";
    public string ConfigurationId { get; private set; } = "";
    public string BackupId { get; private set; } = "";
    public string VersionId { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Node = await TroveNode.StartAsync(TroveNode.NewDataDir(), new Dictionary<string, string>
        {
            ["Trove__Auth__TokenIssuePerMinute"] = TokenIssuePerMinute.ToString(),
        });
        // Logged in before any test spends this address's logins.
        foreach (var project in new[] { Victim, Attacker, "other" })
            Node.Client(project);
        var victim = Node.Client(Victim);

        var instance = await Node.CreateInstanceAsync(Victim, new
        {
            instance = new
            {
                name = "victim", flavorRef = "small", volume = new { size = 1 }, datastore = new { type = "postgresql", version = "15" },
                databases = new[] { new { name = "appdb" } },
                users = new[] { new { name = "app", password = "s3cret-pw", databases = new[] { new { name = "appdb" } } } },
            },
        });
        InstanceId = (string)instance["id"]!;
        await Node.WaitForStatusAsync(Victim, InstanceId, "ACTIVE", TimeSpan.FromSeconds(180));

        var configuration = await victim.PostAsJsonAsync($"v1.0/{Victim}/configurations", new
        {
            configuration = new { name = "victim-config", values = new { max_connections = 50 }, datastore = new { type = "postgresql", version = "15" } },
        });
        ConfigurationId = (string)(await Ok(configuration))["configuration"]!["id"]!;

        var backup = await victim.PostAsJsonAsync($"v1.0/{Victim}/backups", new { backup = new { name = "victim-backup", instance = InstanceId } });
        BackupId = (string)(await Ok(backup))["backup"]!["id"]!;
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while ((string?)(await victim.GetFromJsonAsync<JsonObject>($"v1.0/{Victim}/backups/{BackupId}"))!["backup"]!["status"] != "COMPLETED")
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"backup {BackupId} did not complete; see {Node.DataDir}/node.log");
            await Task.Delay(200);
        }
        await Node.WaitForStatusAsync(Victim, InstanceId, "ACTIVE", TimeSpan.FromSeconds(60));

        var versions = (await victim.GetFromJsonAsync<JsonObject>($"v1.0/{Victim}/datastores/postgresql/versions"))!["versions"]!.AsArray();
        VersionId = (string)versions.Single(v => (string?)v!["name"] == "15")!["id"]!;
    }

    /// <summary>The value of a route parameter that names a real resource of the victim, by the route it is in.</summary>
    public string RealValue(ApiRoute route, string parameter)
    {
        var template = route.Template;
        return parameter switch
        {
            "tenantId" or "project" => Victim,
            "id" when template.Contains("/instances/{id}") => InstanceId,
            "id" when template.Contains("/configurations/{id}") => ConfigurationId,
            "id" when template.Contains("/backups/{id}") => BackupId,
            "id" when template.Contains("/flavors/{id}") => "small",
            "id" when template.Contains("/datastore-versions/{id}") => VersionId,
            "versionId" or "vid" => VersionId,
            "ds" => "postgresql",
            "v" => "15",
            "user" => "app",
            "database" => "appdb",
            "name" when template.Contains("/parameters/{name}") => "max_connections",
            "name" when template.Contains("/log/{name}") => "error",
            "name" when template.Contains("/swift/") => $"{InstanceId}_error_log",
            "container" => "database_logs",
            "name" => "appdb",
            "alias" => "Mgmt",
            _ => throw new InvalidOperationException($"{route} has parameter '{parameter}': give it a real resource of the victim here"),
        };
    }

    private static async Task<JsonObject> Ok(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    public async Task DisposeAsync() => await Node.DisposeAsync();
}

[CollectionDefinition("security")]
public sealed class SecurityCollection : ICollectionFixture<SecurityNode>;

/// <summary>Sending a path exactly as written (doubled slashes, dot segments, escapes), and reading Trove's error body.</summary>
public static class RawRequests
{
    public static HttpRequestMessage Request(TroveNode node, string method, string pathAndQuery, HttpContent? content = null) =>
        new(new HttpMethod(method), new Uri($"{node.BaseAddress.GetLeftPart(UriPartial.Authority)}{pathAndQuery}",
            new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true })) { Content = content };

    /// <summary>Null when the body is Trove's error (<c>{"kind": {"code": N, "message": "..."}}</c> with N the status), else why not.</summary>
    /// <remarks>A HEAD answer has no body (HTTP), so its status is all it says.</remarks>
    public static string? ErrorBodyProblem(int status, string body, string method = "GET")
    {
        if (method == "HEAD")
            return body.Length == 0 ? null : "a HEAD answer with a body";
        JsonNode? json;
        try
        {
            json = JsonNode.Parse(body);
        }
        catch (System.Text.Json.JsonException)
        {
            return $"not JSON: {Clip(body)}";
        }
        if (json is not JsonObject { Count: 1 } error || error.First().Value is not JsonObject fault)
            return $"not an error object: {Clip(body)}";
        if (fault["code"] is not JsonValue code || !code.TryGetValue<int>(out var n) || n != status)
            return $"code is not {status}: {Clip(body)}";
        return fault["message"] is JsonValue message && message.TryGetValue<string>(out _) ? null : $"no message: {Clip(body)}";
    }

    private static string Clip(string text) => text.Length > 200 ? text[..200] + "..." : text;

    public static bool IsRefusal(HttpStatusCode status) => status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound;
}
