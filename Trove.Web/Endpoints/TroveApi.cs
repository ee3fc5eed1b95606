namespace Trove.Web.Endpoints;

public static class TroveApi
{
    /// <summary>Trove's v1.0 API: the version documents, then every resource under <c>/v1.0/{tenant_id}</c>.</summary>
    public static WebApplication MapTroveApi(this WebApplication app)
    {
        app.MapVersions();
        app.MapGroup("/v1.0/{tenantId}")
            .MapInstances().MapDatabases().MapUsers().MapRoot()
            .MapBackups().MapConfigurations()
            .MapFlavors().MapDatastores().MapDatastoreAdmin()
            .MapLimits();
        return app;
    }
}
