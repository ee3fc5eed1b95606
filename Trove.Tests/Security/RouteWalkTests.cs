using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Trove.Tests.Support;
using Trove.Web.Auth;

namespace Trove.Tests.Security;

/// <summary>
/// The API boundary, walked over every route the app maps: without a token, with another tenant's token, and in every
/// spelling of the path, a tenant's routes answer 401/403/404 and nothing is stored; admin routes refuse non-admins.
/// Route parameters name the victim's real resources, so a refusal is not just an unknown id.
/// </summary>
[Collection("security")]
public sealed class RouteWalkTests(SecurityNode fixture)
{
    private TroveNode Node => fixture.Node;

    [Fact]
    public void Every_route_is_behind_the_tenant_check_or_anonymous_by_intent()
    {
        Assert.NotEmpty(ApiRoutes.All);
        foreach (var route in ApiRoutes.All)
        {
            if (route.Anonymous)
                Assert.True(route.Template is "/" or "/v1.0" or "/dashboard/config.json" || route.Template.StartsWith("/v3", StringComparison.Ordinal) || route.IsOperatorRoute,
                    $"{route} allows anonymous callers; only the version documents, the identity service, the dashboard's config and the operator's routes may");
            else
                Assert.True(route.IsTenantRoute && route.Policies.Contains(TrovePolicies.Tenant), $"{route} is not behind the tenant check");
        }
        // Every /mgmt route needs the admin role, but a tenant's own quotas, which its endpoint checks against {project}.
        Assert.All(ApiRoutes.All.Where(r => r.Template.Contains("/mgmt/") && r.ToString() != "GET /v1.0/{tenantId}/mgmt/quotas/{project}"),
            route => Assert.True(route.IsAdminRoute, $"{route} does not need the admin role"));
    }

    [Fact]
    public async Task Every_tenant_route_refuses_no_token_another_tenant_s_token_and_on_admin_routes_a_non_admin_in_every_spelling_and_changes_nothing()
    {
        var routes = ApiRoutes.All.Where(r => r.IsTenantRoute).ToList();
        Assert.Contains(routes, r => r.Template.Contains("/mgmt/"));
        var before = await StoreSnapshot.SettledAsync(Node.DataDir, TimeSpan.FromSeconds(30));
        var failures = new ConcurrentQueue<string>();
        using var anonymous = Node.Anonymous();
        var attacker = Node.Client(SecurityNode.Attacker);
        await Parallel.ForEachAsync(routes, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (route, _) =>
        {
            foreach (var (spelling, path) in Spellings(route, SecurityNode.Victim))
            {
                await Expect(anonymous, route, spelling, path, spelling == AsRouted ? HttpStatusCode.Unauthorized : null, failures);
                await Expect(attacker, route, spelling, path, spelling == AsRouted ? HttpStatusCode.Forbidden : null, failures);
            }
            // Admin routes: a non-admin on its own tenant's routes, about the victim's resources.
            if (route.Template.Contains("/mgmt/"))
                foreach (var (spelling, path) in Spellings(route, SecurityNode.Attacker))
                    await Expect(attacker, route, spelling, path, spelling == AsRouted ? HttpStatusCode.Forbidden : null, failures);
        });
        Assert.True(failures.IsEmpty, $"{failures.Count} answers were not refusals:\n{string.Join('\n', failures.Take(40))}");
        var after = await StoreSnapshot.SettledAsync(Node.DataDir, TimeSpan.FromSeconds(10));
        Assert.Empty(after.Differences(before));
    }

    private const string AsRouted = "as routed";

    private async Task Expect(HttpClient client, ApiRoute route, string spelling, string path, HttpStatusCode? exactly, ConcurrentQueue<string> failures)
    {
        using var request = RawRequests.Request(Node, route.Method, path,
            route.HasBody ? new StringContent(ValidBody(route), Encoding.UTF8, "application/json") : null);
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var who = client.DefaultRequestHeaders.Contains("X-Auth-Token") ? SecurityNode.Attacker : "no token";
        if (!RawRequests.IsRefusal(response.StatusCode) || (exactly is { } status && response.StatusCode != status))
            failures.Enqueue($"{route} ({spelling}, {who}) {route.Method} {path}: {(int)response.StatusCode} {body[..Math.Min(body.Length, 160)]}");
        else if (RawRequests.ErrorBodyProblem((int)response.StatusCode, body, route.Method) is { } problem)
            failures.Enqueue($"{route} ({spelling}, {who}) {path}: {problem}");
    }

    /// <summary>The route's path for the tenant, spelled every way that a path parser might read differently from routing.</summary>
    private IEnumerable<(string Spelling, string Path)> Spellings(ApiRoute route, string tenant)
    {
        string Value(string parameter) => parameter == "tenantId" ? tenant : fixture.RealValue(route, parameter);
        var path = route.Path(Value);
        var rest = path[$"/v1.0/{tenant}".Length..];
        var literal = rest.IndexOf('/') + 1;
        yield return (AsRouted, path);
        yield return ("upper-case V1.0", $"/V1.0/{tenant}{rest}");
        yield return ("upper-case literals", route.Path(Value, text => text.ToUpperInvariant()));
        yield return ("doubled slashes", $"/v1.0//{tenant}{rest.Replace("/", "//")}");
        yield return ("leading doubled slash", "/" + path);
        yield return ("dot segments", $"/./v1.0/./{tenant}/.{rest}");
        yield return ("dot-dot segments", $"/v1.0/x/../{tenant}{rest}");
        yield return ("own tenant then dot-dot", $"/v1.0/{SecurityNode.Attacker}/../{tenant}{rest}");
        yield return ("escaped tenant", $"/v1.0/{string.Concat(tenant.Select(c => $"%{(int)c:X2}"))}{rest}");
        yield return ("escaped version", $"/%761.0/{tenant}{rest}");
        yield return ("escaped segment", $"/v1.0/{tenant}{rest[..literal]}%{(int)rest[literal]:X2}{rest[(literal + 1)..]}");
        yield return ("escaped slash", $"/v1.0/{SecurityNode.Attacker}%2F..%2F{tenant}{rest}");
        yield return ("trailing slash", path + "/");
    }

    /// <summary>A body the route would carry out if the request reached it: a refusal is then the only thing between the
    /// attacker and a change.</summary>
    private string ValidBody(ApiRoute route) => (route.Method, route.Template[("/v1.0/{tenantId}".Length)..]) switch
    {
        ("POST", "/instances") => """{"instance": {"name": "stolen", "flavorRef": "small", "volume": {"size": 1}, "datastore": {"type": "postgresql"}}}""",
        ("PUT" or "PATCH", "/instances/{id}") => """{"instance": {"name": "renamed"}}""",
        ("POST", "/instances/{id}/action") => """{"restart": {}}""",
        ("POST", "/instances/{id}/databases") => """{"databases": [{"name": "stolen"}]}""",
        ("POST", "/instances/{id}/users") => """{"users": [{"name": "intruder", "password": "intruder-pw"}]}""",
        ("PUT", "/instances/{id}/users") => """{"users": [{"name": "app", "password": "taken-over"}]}""",
        ("PUT", "/instances/{id}/users/{user}") => """{"user": {"password": "taken-over"}}""",
        ("PUT", "/instances/{id}/users/{user}/databases") => """{"databases": [{"name": "appdb"}]}""",
        ("POST", "/backups") => $$$"""{"backup": {"name": "stolen", "instance": "{{{fixture.InstanceId}}}"}}""",
        ("POST", "/configurations") => """{"configuration": {"name": "stolen", "values": {"max_connections": 60}, "datastore": {"type": "postgresql", "version": "15"}}}""",
        ("PUT" or "PATCH", "/configurations/{id}") => """{"configuration": {"values": {"max_connections": 70}}}""",
        ("PUT", "/mgmt/quotas/{project}") => """{"quotas": {"instances": 0}}""",
        ("POST", "/mgmt/datastore-versions") => """{"version": {"name": "stolen", "datastore_manager": "postgresql", "datastore_name": "postgresql"}}""",
        ("PATCH", "/mgmt/datastore-versions/{id}") => """{"active": false}""",
        ("POST", "/mgmt/instances/{id}/action") => """{"reboot": {}}""",
        ("POST", "/instances/{id}/log") => """{"name": "general", "enable": 1, "publish": 1}""",
        ("POST", "/mgmt/datastores/versions/{versionId}/parameters") =>
            """{"configuration-parameter": {"name": "stolen", "restart_required": 0, "data_type": "integer", "min_size": 1, "max_size": 2}}""",
        ("PUT", "/mgmt/datastores/versions/{versionId}/parameters/{name}") =>
            """{"configuration-parameter": {"restart_required": 1, "data_type": "integer", "min_size": 1, "max_size": 2}}""",
        _ => "{}",
    };
}
