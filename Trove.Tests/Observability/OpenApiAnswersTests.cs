using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Trove.Tests.EndToEnd;
using Trove.Tests.Security;

namespace Trove.Tests.Observability;

public sealed partial class OpenApiTests
{
    /// <summary>
    /// An instance on a real guest with a database, a user, root, a configuration group, a backup and a published log;
    /// then every route that answers JSON is called (a tenant's as its tenant, an operator's as the admin) and its answer
    /// checked against its documented schema, both ways; and each route with a parameter is called with values that
    /// name nothing, and each route reading a body with one that is not an object: its error checked against the documented
    /// error body. A route answering JSON that the test did not call fails it: a new route gets a value here.
    /// </summary>
    [Fact]
    public async Task The_answers_of_a_real_node_match_their_schemas_both_ways()
    {
        var answers = new DocumentedAnswers(await DocumentAsync());
        var (demo, admin) = (Node.Http, Node.Client("admin"));
        using var anonymous = Node.Anonymous();
        var versionId = (string)(await demo.GetFromJsonAsync<JsonObject>("v1.0/demo/datastores"))!["datastores"]!.AsArray()
            .Single(d => (string?)d!["name"] == "postgresql")!["versions"]!.AsArray().Single(v => (string?)v!["name"] == "15")!["id"]!;
        // A route parameter's value by its name; {id}'s by the collection before it.
        var values = new Dictionary<string, string>
        {
            ["ds"] = "postgresql", ["v"] = "15", ["versionId"] = versionId, ["vid"] = versionId, ["user"] = "app", ["alias"] = "Mgmt",
            ["project"] = "demo", ["container"] = "database_logs", ["flavors"] = "small", ["datastore-versions"] = versionId, ["projects"] = "demo",
        };
        string Value(string template, string parameter, string tenant) => parameter switch
        {
            "tenantId" => tenant,
            "id" => values[template[..template.IndexOf("/{id}", StringComparison.Ordinal)].Split('/')[^1]],
            "name" => template.Contains("/parameters/") ? "work_mem" : "error",
            _ => values.TryGetValue(parameter, out var value) ? value : throw new InvalidOperationException($"no value for {{{parameter}}} of {template}: teach the test one"),
        };
        Task<JsonNode?> Demo(HttpMethod method, string template, object? body = null, string? query = null) =>
            answers.SendAsync(demo, method, template, p => Value(template, p, "demo"), body, query);

        var instance = (await Demo(HttpMethod.Post, "/v1.0/{tenantId}/instances", PostgresInstanceTests.CreateBody("openapi")))!["instance"]!;
        var id = values["instances"] = (string)instance["id"]!;
        string? groupId = null;
        try
        {
            await Node.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromMinutes(3));
            var group = await Demo(HttpMethod.Post, "/v1.0/{tenantId}/configurations",
                new { configuration = new { name = "openapi", values = new { work_mem = 8192 }, datastore = new { type = "postgresql", version = "15" } } });
            groupId = values["configurations"] = (string)group!["configuration"]!["id"]!;
            await Demo(HttpMethod.Put, "/v1.0/{tenantId}/instances/{id}", new { instance = new { configuration = groupId } });
            await Demo(HttpMethod.Post, "/v1.0/{tenantId}/instances/{id}/root");
            var backup = await Demo(HttpMethod.Post, "/v1.0/{tenantId}/backups", new { backup = new { name = "openapi", instance = id } });
            values["backups"] = (string)backup!["backup"]!["id"]!;
            await Node.WaitForBackupAsync("demo", values["backups"], "COMPLETED");
            var log = await Demo(HttpMethod.Post, "/v1.0/{tenantId}/instances/{id}/log", new { name = "error", publish = 1 });
            await Demo(HttpMethod.Get, "/v1.0/{tenantId}/swift/{container}", query: $"format=json&prefix={log!["log"]!["prefix"]}");
            await answers.SendAsync(admin, HttpMethod.Put, "/v1.0/{tenantId}/mgmt/quotas/{project}", p => p == "project" ? "openapi-quotas" : "admin",
                new { quotas = new { instances = 5 } });
            var parameters = "/v1.0/{tenantId}/mgmt/datastores/versions/{versionId}/parameters";
            var parameter = new Dictionary<string, object>
            {
                ["configuration-parameter"] = new { name = "openapi_param", data_type = "integer", min_size = 0, max_size = 10, restart_required = false },
            };
            await answers.SendAsync(admin, HttpMethod.Post, parameters, p => Value(parameters, p, "admin"), parameter);
            await answers.SendAsync(admin, HttpMethod.Put, $"{parameters}/{{name}}", p => p == "name" ? "openapi_param" : Value(parameters, p, "admin"), parameter);
            await admin.DeleteAsync($"v1.0/admin/mgmt/datastores/versions/{versionId}/parameters/openapi_param");
            var login = await anonymous.PostAsJsonAsync("v3/auth/tokens", Support.TroveNode.LoginBody("demo", "demo", "demo"));
            await answers.CheckAsync("POST", "/v3/auth/tokens", login);
            await answers.SendAsync(demo, HttpMethod.Get, "/v3/auth/tokens", _ => "", header: ("X-Subject-Token", login.Headers.GetValues("X-Subject-Token").Single()));

            var json = Routes.Where(r => RouteAnswers.Of(r.Handler!).Any(a => a.ContentType == RouteAnswer.Json)).ToList();
            foreach (var route in json.Where(r => r.Method == "GET" && !answers.Succeeded.Contains(r.ToString())))
            {
                var (client, tenant) = route.IsAdminRoute ? (admin, "admin") : (demo, "demo");
                await answers.SendAsync(client, HttpMethod.Get, route.Template, p => Value(route.Template, p, tenant));
            }
            // What the routes answer for what is not there: each error documented, in its error body.
            foreach (var route in Routes.Where(r => r.Method == "GET" && r.Pattern.Parameters.Any(p => p.Name != "tenantId")))
                await answers.SendAsync(route.IsAdminRoute ? admin : demo, HttpMethod.Get, route.Template,
                    p => p == "tenantId" ? (route.IsAdminRoute ? "admin" : "demo") : "openapi-nothing");
            await answers.SendAsync(anonymous, HttpMethod.Get, "/v1.0/{tenantId}/instances", _ => "demo");
            foreach (var route in Routes.Where(r => RouteAnswers.BodyOf(r.Handler!) is not null))
                await answers.SendAsync(route.IsAdminRoute ? admin : demo, new HttpMethod(route.Method), route.Template,
                    p => p == "tenantId" ? (route.IsAdminRoute ? "admin" : "demo") : "openapi-nothing", body: Array.Empty<int>());

            var unanswered = json.Select(r => r.ToString()).Where(r => !answers.Succeeded.Contains(r)).ToList();
            Assert.True(unanswered.Count == 0, $"routes answering JSON the test did not call:\n{string.Join('\n', unanswered)}");
            Assert.True(answers.Problems.Count == 0, string.Join('\n', answers.Problems));
        }
        finally
        {
            if (groupId is not null)
                await demo.PutAsJsonAsync($"v1.0/demo/instances/{id}", new { instance = new { configuration = (string?)null } });
            await demo.DeleteAsync($"v1.0/demo/instances/{id}");
            if (values.TryGetValue("backups", out var backupId))
                await demo.DeleteAsync($"v1.0/demo/backups/{backupId}");
            await admin.DeleteAsync($"v1.0/admin/mgmt/datastores/versions/{versionId}/parameters/openapi_param");
            // refused while the read model still shows the instance attached
            for (var tries = 0; groupId is not null && tries < 50 && !(await demo.DeleteAsync($"v1.0/demo/configurations/{groupId}")).IsSuccessStatusCode; tries++)
                await Task.Delay(200);
        }
    }
}
