using Trove.Actors.Tenants;

namespace Trove.Web.Auth;

/// <summary>Upstream's admin context on the tenant routes: an admin acting on an existing instance or backup (a route naming
/// its <c>{id}</c>) through any project path reaches it whoever owns it. The endpoint's <c>tenantId</c> becomes
/// <see cref="AnyTenant.Id"/>, which the entity's ownership check accepts; the entity keeps its own tenant for its quota
/// and bookkeeping. A non-admin's <c>tenantId</c> is never touched: the tenant check already made it the caller's project.</summary>
public static class AdminReach
{
    /// <summary>Whether a route acts on one existing instance or backup, by its template. The admin-only <c>/mgmt</c> routes
    /// name <see cref="AnyTenant.Id"/> themselves.</summary>
    public static bool ActsOnOneEntity(string template) =>
        !template.Contains("/mgmt/", StringComparison.Ordinal)
        && (template.Contains("/instances/{id}", StringComparison.Ordinal) || template.Contains("/backups/{id}", StringComparison.Ordinal));

    public static RouteGroupBuilder WithAdminReach(this RouteGroupBuilder tenant)
    {
        tenant.AddEndpointFilterFactory((factory, next) =>
        {
            var index = Array.FindIndex(factory.MethodInfo.GetParameters(), p => p.Name == "tenantId" && p.ParameterType == typeof(string));
            if (index < 0)
                return next;
            return context =>
            {
                var route = (context.HttpContext.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "";
                if (ActsOnOneEntity(route) && context.HttpContext.IsAdmin())
                    context.Arguments[index] = AnyTenant.Id;
                return next(context);
            };
        });
        return tenant;
    }
}
