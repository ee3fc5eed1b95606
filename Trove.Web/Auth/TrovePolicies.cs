using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;

namespace Trove.Web.Auth;

/// <summary>The authorization policies every Trove route goes through (see <see cref="TroveAuth"/>).</summary>
public static class TrovePolicies
{
    /// <summary>On the <c>/v1.0/{tenantId}</c> group: the routed tenant is the caller's project, or the caller is an admin.</summary>
    public const string Tenant = "tenant";

    /// <summary>Upstream's <c>@admin_context</c>: a role in <c>Trove:Auth:AdminRoles</c>.</summary>
    public const string Admin = "admin";

    public static bool IsAdmin(this ClaimsPrincipal user, IEnumerable<string> adminRoles) => adminRoles.Any(user.IsInRole);
}

/// <summary>Checks the routed <c>{tenantId}</c> (what the endpoint will act on), never a parse of the raw path.</summary>
public sealed class TenantRequirement(IReadOnlyList<string> adminRoles) : AuthorizationHandler<TenantRequirement>, IAuthorizationRequirement
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, TenantRequirement requirement)
    {
        var routed = (context.Resource as HttpContext)?.GetRouteValue("tenantId") as string;
        var project = context.User.FindFirstValue(TokenAuthenticationHandler.ProjectClaim);
        if (routed is not null && (string.Equals(routed, project, StringComparison.Ordinal) || context.User.IsAdmin(adminRoles)))
            context.Succeed(requirement);
        else
            context.Fail(new AuthorizationFailureReason(this, $"The token is for project {project}, not {routed}."));
        return Task.CompletedTask;
    }
}

public sealed class AdminRequirement(IReadOnlyList<string> adminRoles) : AuthorizationHandler<AdminRequirement>, IAuthorizationRequirement
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, AdminRequirement requirement)
    {
        if (context.User.IsAdmin(adminRoles))
            context.Succeed(requirement);
        else
            context.Fail(new AuthorizationFailureReason(this, "This action needs the admin role."));
        return Task.CompletedTask;
    }
}
