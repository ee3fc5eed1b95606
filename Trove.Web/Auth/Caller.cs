namespace Trove.Web.Auth;

/// <summary>Who sent a request, from its token: upstream's request context.</summary>
public sealed record Caller(string UserId, string UserName, string ProjectId, string ProjectName, IReadOnlyList<string> Roles,
    DateTimeOffset ExpiresAt, DateTimeOffset IssuedAt, string AuditId);

public static class CallerExtensions
{
    private const string Key = "trove.caller";

    public static void SetCaller(this HttpContext context, Caller caller) => context.Items[Key] = caller;

    /// <summary>The caller the authentication stage found; every tenant route has one.</summary>
    public static Caller Caller(this HttpContext context) =>
        context.Items[Key] as Caller ?? throw new InvalidOperationException("the request was not authenticated");

    /// <summary>The caller, if the request was authenticated.</summary>
    public static Caller? CallerOrNull(this HttpContext context) => context.Items[Key] as Caller;

    /// <summary>For a decision inside an endpoint (e.g. by the body), by the same rule as <see cref="TrovePolicies.Admin"/>.</summary>
    public static bool IsAdmin(this HttpContext context) =>
        context.User.IsAdmin(context.RequestServices.GetRequiredService<AuthSettings>().AdminRoles);
}
