using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Trove.Web.RateLimiting;

namespace Trove.Web.Auth;

/// <summary>
/// Upstream's authtoken + context stages as ASP.NET Core authentication and authorization: the X-Auth-Token scheme
/// names the caller; every route needs one (the fallback policy) unless it allows anonymous callers; tenant routes
/// need the routed tenant to be the caller's project (or an admin role); admin routes need an admin role.
/// </summary>
public static class TroveAuth
{
    public static IServiceCollection AddTroveAuth(this IServiceCollection services, IConfigurationSection section, string httpHost, string dataDir) =>
        services.AddTroveAuth(AuthSettings.From(section).Validated(httpHost), dataDir);

    public static IServiceCollection AddTroveAuth(this IServiceCollection services, AuthSettings settings, string dataDir)
    {
        services.AddSingleton(settings);
        services.AddSingleton(TokenSigner.FromSettings(settings, dataDir));
        if (settings.IsKeystone)
            services.AddSingleton<ITokenValidator>(_ =>
                new KeystoneTokenValidator(new HttpClient { Timeout = TimeSpan.FromSeconds(10) }, settings, TimeProvider.System));
        else
            services.AddSingleton<ITokenValidator>(sp => new BuiltinTokenValidator(sp.GetRequiredService<TokenSigner>(), TimeProvider.System));

        services.AddAuthentication(TokenAuthenticationHandler.Scheme)
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.Scheme, null);
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(TrovePolicies.Tenant, policy => policy.RequireAuthenticatedUser().AddRequirements(new TenantRequirement(settings.AdminRoles)))
            .AddPolicy(TrovePolicies.Admin, policy => policy.RequireAuthenticatedUser().AddRequirements(new AdminRequirement(settings.AdminRoles)));
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, TroveAuthorizationResults>();
        services.AddTokenIssueLimit(settings.TokenIssuePerMinute);
        return services;
    }

    /// <summary>After routing, so that policies see the routed values.</summary>
    public static WebApplication UseTroveAuth(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }
}
