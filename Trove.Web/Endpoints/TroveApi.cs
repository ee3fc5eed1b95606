using Trove.Web.OpenApi;
using Trove.Web.Auth;
using Trove.Web.Validation;

namespace Trove.Web.Endpoints;

public static class TroveApi
{
    /// <summary>Every route of the API: the version documents and the built-in identity service (anonymous), then every
    /// resource under <c>/v1.0/{tenantId}</c>, behind the one tenant check and the one validation filter. Anything else
    /// needs a caller (the fallback policy).</summary>
    public static WebApplication MapTroveApi(this WebApplication app)
    {
        app.MapVersions();
        if (!app.Services.GetRequiredService<AuthSettings>().IsKeystone)
            app.MapBuiltinKeystone();
        app.MapGroup("/v1.0/{tenantId}")
            .RequireAuthorization(TrovePolicies.Tenant)
            .WithRequestValidation()
            .WithAdminReach()
            .ProducesTroveErrors(ErrorDocumentation.TenantRoute)
            .MapInstances().MapEvents().MapDatabases().MapUsers().MapRoot()
            .MapBackups().MapConfigurations()
            .MapFlavors().MapDatastores().MapDatastoreAdmin()
            .MapLimits()
            .MapMgmtInstances().MapMgmtDatastoreVersions().MapExtensions()
            .MapInstanceLogs().MapLogObjects();
        return app;
    }
}
