using Trove.Web.OpenApi;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Trove.Web.RateLimiting;
using Trove.Web.Requests;
using Trove.Web.Validation;
using Trove.Contracts;
using KeystoneErrorResult = Microsoft.AspNetCore.Http.HttpResults.JsonHttpResult<Trove.Web.Auth.KeystoneError>;

namespace Trove.Web.Auth;

/// <summary>
/// The minimal Keystone v3 the OpenStack client needs to log in with a password: <c>GET /v3</c>, and
/// <c>POST/GET /v3/auth/tokens</c> with a service catalog pointing the <c>database</c> service at this node.
/// </summary>
public static class KeystoneEndpoints
{
    /// <summary>The identity service is open to anonymous callers (it checks its own tokens); token issue is rate-limited per address.</summary>
    public static IEndpointRouteBuilder MapBuiltinKeystone(this IEndpointRouteBuilder routes)
    {
        var app = routes.MapGroup("").AllowAnonymous().ProducesKeystoneErrors(500);
        app.MapGet("/v3", Describe).Produces<IdentityVersionDocumentShape>();
        app.MapPost("/v3/auth/tokens", Issue).RequireRateLimiting(TokenIssueLimit.Policy)
            .Produces<TokenDocumentShape>(StatusCodes.Status201Created).ProducesKeystoneErrors(400, 401, 429);
        app.MapGet("/v3/auth/tokens", Check).Produces<TokenDocumentShape>().ProducesKeystoneErrors(404);
        // Projects, so that the client can turn a project's name into its id (e.g. for quota show).
        app.MapGet("/v3/projects", ListProjects).Produces<ProjectListShape>().ProducesKeystoneErrors(401);
        app.MapGet("/v3/projects/{id}", GetProject).Produces<ProjectDocumentShape>().ProducesKeystoneErrors(401, 404);
        return routes;
    }

    public static Ok<object> Describe(HttpRequest request) => TypedResults.Ok<object>(new
    {
        version = new Dictionary<string, object>
        {
            ["id"] = "v3.14", ["status"] = "stable", ["updated"] = "2020-04-07T00:00:00Z",
            ["links"] = new[] { new { rel = "self", href = $"{Root(request)}/v3/" } },
            ["media-types"] = new[] { new { @base = "application/json", type = "application/vnd.openstack.identity-v3+json" } },
        },
    });

    /// <summary>A token's caller and catalog, for <c>X-Subject-Token</c>.</summary>
    public static Results<Ok<object>, KeystoneErrorResult> Check(HttpContext context, TokenSigner signer, AuthSettings settings)
    {
        var subject = context.Request.Headers["X-Subject-Token"].ToString();
        return signer.Verify(subject, DateTimeOffset.UtcNow) is { } caller
            ? TypedResults.Ok(Token(context.Request, caller, settings, subject))
            : KeystoneError.Result(404, "Not Found", "The token could not be found.");
    }

    public static Results<Ok<object>, KeystoneErrorResult> ListProjects(HttpContext context, TokenSigner signer, AuthSettings settings, string? name) =>
        Authorized(context, signer) is null
            ? KeystoneError.Unauthorized()
            : TypedResults.Ok<object>(new { projects = Projects(settings).Where(p => name is null || p.name == name) });

    public static Results<Ok<object>, KeystoneErrorResult> GetProject(string id, HttpContext context, TokenSigner signer, AuthSettings settings) =>
        Authorized(context, signer) is null
            ? KeystoneError.Unauthorized()
            : Projects(settings).FirstOrDefault(p => p.id == id) is { } project
                ? TypedResults.Ok<object>(new { project })
                : KeystoneError.Result(404, "Not Found", $"Could not find project: {id}.");

    /// <summary>A body of another shape than a password login is the client's error, in Keystone's shape as the rest of <c>/v3</c>.</summary>
    public static Results<Created<object>, KeystoneErrorResult> Issue(Body<PasswordLoginBody> body, HttpContext context, TokenSigner signer, AuthSettings settings)
    {
        if (body.Error is { } refused)
            return KeystoneError.Result(400, "Bad Request", refused.Message);
        var user = body.Value.User!;
        var (name, password, scoped) = (user.Name ?? user.Id, user.Password, body.Value.Project);
        var account = settings.Users.FirstOrDefault(u => u.Name == name);
        if (account is null || password is null || !CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.UTF8.GetBytes(password), System.Text.Encoding.UTF8.GetBytes(account.Password)))
            return KeystoneError.Unauthorized();

        var project = scoped ?? account.Project;
        if (project != account.Project)
            return KeystoneError.Result(401, "Unauthorized", $"User {account.Name} has no role on project {project}.");

        var now = DateTimeOffset.UtcNow;
        var caller = new Caller(account.Name, account.Name, account.Project, account.Project, account.Roles,
            now + settings.TokenLifetime, now, WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(16)));
        return TypedResults.Created((string?)null, Token(context.Request, caller, settings, signer.Sign(caller)));
    }

    /// <summary>The token's body; the token itself goes in the <c>X-Subject-Token</c> header.</summary>
    private static object Token(HttpRequest request, Caller caller, AuthSettings settings, string token)
    {
        var domain = new { id = "default", name = "Default" };
        var endpointUrl = $"{Root(request)}/v1.0/{caller.ProjectId}";
        var body = new
        {
            token = new
            {
                methods = new[] { "password" },
                user = new { id = caller.UserId, name = caller.UserName, domain, password_expires_at = (string?)null },
                project = new { id = caller.ProjectId, name = caller.ProjectName, domain },
                roles = caller.Roles.Select(r => new { id = r, name = r }),
                catalog = new[]
                {
                    Service("database", "trove", endpointUrl, settings), Service("identity", "keystone", $"{Root(request)}/v3", settings),
                    Service("object-store", "swift", $"{endpointUrl}/swift", settings), // published guest logs only
                },
                expires_at = caller.ExpiresAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ"),
                issued_at = caller.IssuedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ"),
                audit_ids = new[] { caller.AuditId },
                is_domain = false,
            },
        };
        request.HttpContext.Response.Headers["X-Subject-Token"] = token;
        return body;
    }

    private static Caller? Authorized(HttpContext context, TokenSigner signer) =>
        signer.Verify(context.Request.Headers["X-Auth-Token"].ToString(), DateTimeOffset.UtcNow);

    private sealed record ProjectView(string id, string name, string domain_id, bool enabled, bool is_domain);

    private static IEnumerable<ProjectView> Projects(AuthSettings settings) =>
        settings.Users.Select(u => u.Project).Distinct().Select(p => new ProjectView(p, p, "default", true, false));

    private static object Service(string type, string name, string url, AuthSettings settings) => new
    {
        type, name, id = name,
        endpoints = new[] { "public", "internal", "admin" }.Select(i => new
        {
            id = $"{name}-{i}", @interface = i, region = settings.Region, region_id = settings.Region, url,
        }),
    };

    private static string Root(HttpRequest request) => $"{request.Scheme}://{request.Host}";
}
