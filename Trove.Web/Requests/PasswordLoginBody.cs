using System.Text;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Trove.Contracts;
using Trove.Web.Validation;

namespace Trove.Web.Requests;

/// <summary>Keystone v3 <c>POST /auth/tokens</c> with the password method:
/// <c>{"auth": {"identity": {"password": {"user": {"name", "password"}}}, "scope": {"project": {"name"}}}}</c>.</summary>
public sealed record PasswordLoginBody(PasswordLoginBody.LoginAuth? Auth) : IRequestBody<PasswordLoginBody>
{
    public sealed record LoginAuth(LoginIdentity? Identity, LoginScope? Scope);

    public sealed record LoginIdentity(LoginPassword? Password);

    public sealed record LoginPassword(LoginUser? User);

    public sealed record LoginUser(string? Name, string? Id, string? Password)
    {
        private bool PrintMembers(StringBuilder builder) => Secrets.PrintMembers(this, builder);
    }

    public sealed record LoginScope(LoginProject? Project);

    public sealed record LoginProject(string? Name, string? Id);

    public static JsonTypeInfo<PasswordLoginBody> JsonInfo => RequestJson.Default.PasswordLoginBody;

    /// <summary>The user logging in; its name (or id) and password may still be missing, which is a failed login, not a bad request.</summary>
    [JsonIgnore]
    public LoginUser? User => Auth?.Identity?.Password?.User;

    /// <summary>The project the token is scoped to, if any.</summary>
    [JsonIgnore]
    public string? Project => Auth?.Scope?.Project is { } project ? project.Name ?? project.Id : null;

    public void Validate()
    {
        var auth = Auth ?? throw Missing("auth");
        var identity = auth.Identity ?? throw Missing("identity");
        var password = identity.Password ?? throw Missing("password");
        _ = password.User ?? throw Missing("user");
    }

    private static RequestError Missing(string key) => RequestError.Invalid($"the body must be an object with a '{key}' object.");
}
