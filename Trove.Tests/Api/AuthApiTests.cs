using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Trove.Tests.Support;
using Trove.Web.Auth;

namespace Trove.Tests.Api;

/// <summary>The built-in Keystone v3, token checks on every tenant route, tenant scoping and the admin role.</summary>
[Collection("node")]
public sealed class AuthApiTests(NodeFixture fixture)
{
    private TroveNode Node => fixture.Node;

    [Fact]
    public async Task A_password_login_gives_a_token_and_a_catalog_that_points_the_database_service_here()
    {
        using var anonymous = Node.Anonymous();
        var version = (await anonymous.GetFromJsonAsync<JsonObject>("v3"))!["version"]!;
        Assert.Equal("v3.14", (string?)version["id"]);
        Assert.NotNull(version["media-types"]);
        var response = await anonymous.PostAsJsonAsync("v3/auth/tokens", TroveNode.LoginBody("demo", "demo", "demo"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.NotEmpty(response.Headers.GetValues("X-Subject-Token").Single());
        var token = (await response.Content.ReadFromJsonAsync<JsonObject>())!["token"]!;
        Assert.Equal("demo", (string?)token["project"]!["id"]);
        var database = token["catalog"]!.AsArray().Single(s => (string?)s!["type"] == "database")!;
        Assert.Contains(database["endpoints"]!.AsArray(), e => (string?)e!["interface"] == "public"
            && (string?)e["url"] == new Uri(Node.BaseAddress, "v1.0/demo").ToString());
    }

    [Fact]
    public async Task A_wrong_password_or_project_gets_keystone_s_401()
    {
        using var anonymous = Node.Anonymous();
        var wrong = await anonymous.PostAsJsonAsync("v3/auth/tokens", TroveNode.LoginBody("demo", "nope", "demo"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(401, (int?)(await wrong.Content.ReadFromJsonAsync<JsonObject>())!["error"]!["code"]);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("v3/auth/tokens", TroveNode.LoginBody("demo", "demo", "admin"))).StatusCode);
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("{\"auth\": 1}")]
    [InlineData("{\"auth\": {\"identity\": {\"password\": {\"user\": {\"name\": 5, \"password\": \"demo\"}}}}}")]
    public async Task A_login_body_of_another_shape_gets_keystone_s_400(string body)
    {
        using var anonymous = Node.Anonymous();
        var response = await anonymous.PostAsync("v3/auth/tokens", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(400, (int?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!["code"]);
    }

    [Fact]
    public async Task Without_a_valid_token_only_the_version_documents_answer()
    {
        using var anonymous = Node.Anonymous();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/v1.0")).StatusCode);

        var missing = await anonymous.GetAsync("v1.0/demo/instances");
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.StartsWith("Keystone uri=", missing.Headers.WwwAuthenticate.ToString());
        Assert.Equal(401, (int?)(await missing.Content.ReadFromJsonAsync<JsonObject>())!["unauthorized"]!["code"]);

        var token = await Node.LoginAsync("demo", "demo", "demo");
        foreach (var bad in new[] { "garbage", token[..^2] + (token[^2] == 'A' ? "BB" : "AA"), token.Split('.')[0] + ".", "x" + token })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "v1.0/demo/instances");
            request.Headers.Add("X-Auth-Token", bad);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(request)).StatusCode);
        }
    }

    [Fact]
    public async Task A_token_reaches_only_its_own_project_and_admin_routes_need_the_admin_role()
    {
        var forbidden = await Node.Http.GetAsync("v1.0/other/instances");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(403, (int?)(await forbidden.Content.ReadFromJsonAsync<JsonObject>())!["forbidden"]!["code"]);

        Assert.Equal(HttpStatusCode.Forbidden, (await Node.Http.GetAsync("v1.0/demo/mgmt/datastore-versions")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Node.Http.GetAsync("v1.0/demo/mgmt/quotas/other")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Node.Http.GetAsync("v1.0/demo/mgmt/quotas/demo")).StatusCode);

        var admin = Node.Client("admin");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("v1.0/admin/mgmt/datastore-versions")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("v1.0/admin/mgmt/quotas/other")).StatusCode);
    }

    [Fact]
    public async Task Admins_set_quotas_and_manage_datastore_versions()
    {
        var admin = Node.Client("admin");
        var set = await admin.PutAsJsonAsync("v1.0/admin/mgmt/quotas/someone-else", new { quotas = new { instances = 0 } });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var refused = await Node.Client("someone-else").PostAsJsonAsync("v1.0/someone-else/instances",
            new { instance = new { name = "x", flavorRef = "small", volume = new { size = 1 } } });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutAsJsonAsync("v1.0/admin/mgmt/quotas/someone-else", new { quotas = new { cpus = 1 } })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Node.Http.PutAsJsonAsync("v1.0/demo/mgmt/quotas/demo", new { quotas = new { instances = 99 } })).StatusCode);

        var versionName = $"15-{Guid.NewGuid():N}"[..12];
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsJsonAsync("v1.0/admin/mgmt/datastore-versions",
            new { version = new { name = versionName, datastore_name = "postgresql", datastore_manager = "postgresql", active = true } })).StatusCode);
        var versions = (await admin.GetFromJsonAsync<JsonObject>("v1.0/admin/mgmt/datastore-versions"))!["versions"]!.AsArray();
        var id = (string)versions.Single(v => (string?)v!["name"] == versionName)!["id"]!;
        Assert.Contains((await Node.Http.GetFromJsonAsync<JsonObject>("v1.0/demo/datastores/postgresql/versions"))!["versions"]!.AsArray(),
            v => (string?)v!["name"] == versionName);

        Assert.Equal(HttpStatusCode.Accepted, (await admin.PatchAsJsonAsync($"v1.0/admin/mgmt/datastore-versions/{id}", new { active = false })).StatusCode);
        Assert.DoesNotContain((await Node.Http.GetFromJsonAsync<JsonObject>("v1.0/demo/datastores/postgresql/versions"))!["versions"]!.AsArray(),
            v => (string?)v!["name"] == versionName); // a tenant sees active versions only, an admin all of them
        Assert.Contains((await admin.GetFromJsonAsync<JsonObject>("v1.0/admin/datastores/postgresql/versions"))!["versions"]!.AsArray(),
            v => (string?)v!["name"] == versionName && (int?)v["active"] == 0);
        var inactive = await Node.Http.PostAsJsonAsync("v1.0/demo/instances",
            new { instance = new { name = "x", flavorRef = "small", volume = new { size = 1 }, datastore = new { type = "postgresql", version = versionName } } });
        Assert.Equal(HttpStatusCode.BadRequest, inactive.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync("v1.0/admin/mgmt/datastore-versions",
            new { version = new { name = "1", datastore_manager = "oracle" } })).StatusCode);
    }

    [Fact]
    public void Configured_users_and_admin_roles_replace_the_defaults_rather_than_join_them()
    {
        var section = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Trove:Auth:Users:0:Name"] = "alice", ["Trove:Auth:Users:0:Password"] = "pw",
            ["Trove:Auth:Users:0:Project"] = "team", ["Trove:Auth:Users:0:Roles:0"] = "member",
            ["Trove:Auth:AdminRoles:0"] = "operator",
        }).Build().GetSection("Trove:Auth");
        var settings = AuthSettings.From(section);
        Assert.Equal(["alice"], settings.Users.Select(u => u.Name));
        Assert.Equal(["operator"], settings.AdminRoles);

        var defaults = AuthSettings.From(new ConfigurationBuilder().Build().GetSection("Trove:Auth"));
        Assert.Equal(["demo", "admin"], defaults.Users.Select(u => u.Name));
        Assert.Equal(TimeSpan.FromHours(12), defaults.TokenLifetime);
        Assert.Throws<InvalidOperationException>(() => new AuthSettings { Mode = "keystnoe" }.Validated());
        Assert.Throws<InvalidOperationException>(() => new AuthSettings { Mode = "keystone" }.Validated());
    }

    [Fact]
    public void Tokens_are_signed_with_a_private_key_kept_in_the_data_dir_and_expire()
    {
        var dataDir = TroveNode.NewDataDir();
        try
        {
            var signer = TokenSigner.FromSettings(new AuthSettings(), dataDir);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dataDir, "auth.key")));
            var now = DateTimeOffset.UtcNow;
            var token = signer.Sign(new Caller("demo", "demo", "demo", "demo", ["member"], now.AddHours(1), now, "a"));

            Assert.Equal("demo", TokenSigner.FromSettings(new AuthSettings(), dataDir).Verify(token, now)?.ProjectId);
            Assert.Null(signer.Verify(token, now.AddHours(2)));
            Assert.Null(TokenSigner.FromSettings(new AuthSettings { TokenKey = "another key" }, dataDir).Verify(token, now));
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task A_token_checked_once_is_trusted_until_it_expires_and_not_after()
    {
        var clock = new SettableClock(DateTimeOffset.UtcNow);
        var signer = new TokenSigner(RandomNumberGenerator.GetBytes(32));
        var validator = new BuiltinTokenValidator(signer, clock);
        var token = signer.Sign(new Caller("demo", "demo", "demo", "demo", ["member"], clock.Now.AddHours(1), clock.Now, "a"));

        var caller = await validator.ValidateAsync(token, CancellationToken.None);
        Assert.Equal("demo", caller?.ProjectId);
        Assert.Same(caller, await validator.ValidateAsync(token, CancellationToken.None)); // remembered, not decoded again
        Assert.Null(await validator.ValidateAsync((token[0] == 'x' ? "y" : "x") + token[1..], CancellationToken.None));
        clock.Now = clock.Now.AddHours(1);
        Assert.Null(await validator.ValidateAsync(token, CancellationToken.None));
        Assert.Null(await validator.ValidateAsync(token, CancellationToken.None));
    }

    private sealed class SettableClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public async Task An_unreachable_keystone_is_reported_as_unavailable_not_as_a_bad_token()
    {
        var settings = new AuthSettings { Mode = "keystone", KeystoneUrl = $"http://127.0.0.1:{TroveNode.FreePort()}/v3" };
        var validator = new KeystoneTokenValidator(new HttpClient(), settings, TimeProvider.System);
        await Assert.ThrowsAsync<IdentityUnavailableException>(() => validator.ValidateAsync("some-token", CancellationToken.None));
    }
}
