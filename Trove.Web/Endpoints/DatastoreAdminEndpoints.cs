using System.Text.Json.Nodes;
using Trove.Actors.Catalog;
using Trove.Contracts.Datastores;
using Trove.Web.Auth;
using Trove.Web.Errors;
using Trove.Web.Validation;

namespace Trove.Web.Endpoints;

/// <summary>Upstream's <c>/mgmt/datastore-versions</c>: admins add datastore versions and (de)activate them.</summary>
public static class DatastoreAdminEndpoints
{
    /// <summary>Configuration groups keep the version's name in 64 characters.</summary>
    private const int MaxVersionName = 64;

    private static object View(Datastore d, DatastoreVersion v) => new
    {
        id = v.Id, name = v.Name, version = v.Name, datastore_id = d.Id, datastore_name = d.Type, datastore_manager = d.Type,
        active = v.Active, @default = d.DefaultVersion == v.Name, image = "", packages = "",
    };

    public static RouteGroupBuilder MapDatastoreAdmin(this RouteGroupBuilder tenant)
    {
        var versions = tenant.MapGroup("/mgmt/datastore-versions").RequireAuthorization(TrovePolicies.Admin);
        versions.MapGet("", (HttpContext context, CatalogRepository repository) => InstanceAsk.Guarded(async () =>
            Results.Json(new { versions = (await repository.LoadAsync()).Datastores.SelectMany(d => d.Versions.Select(v => View(d, v))) })));

        versions.MapGet("/{id}", (string id, HttpContext context, CatalogRepository repository) => InstanceAsk.Guarded(async () =>
            (await repository.LoadAsync()).Datastores.SelectMany(d => d.Versions.Where(v => v.Id == id).Select(v => View(d, v))).FirstOrDefault() is { } view
                ? Results.Json(new { version = view })
                : TroveError.NotFound($"Datastore version '{id}' cannot be found.")));

        versions.MapPost("", (HttpContext context, CatalogRepository repository) => InstanceAsk.Guarded(async () =>
        {
            var version = JsonBody.Object(await JsonBody.ReadAsync(context.Request), "version");
            var name = JsonBody.String(version, "name", required: true, MaxVersionName)!;
            var manager = JsonBody.String(version, "datastore_manager", required: true)!;
            var datastore = JsonBody.String(version, "datastore_name", required: false) ?? manager;
            if (DatastoreProfiles.Find(manager) is null)
                throw new RequestError(400, $"Datastore manager '{manager}' is not one of {string.Join(", ", DatastoreProfiles.All.Select(p => p.Name))}.");
            if (datastore != manager)
                throw new RequestError(400, "Here a datastore is named after its manager: 'datastore_name' must equal 'datastore_manager'.");
            if (name.Trim().Length == 0)
                throw RequestError.Invalid($"'name' must be 1 to {MaxVersionName} characters.");
            var active = JsonBody.Bool(version, "active") ?? true;
            var makeDefault = JsonBody.Bool(version, "default") ?? false;
            try
            {
                await repository.AddVersionAsync(datastore, name, active, makeDefault);
            }
            catch (InvalidOperationException e)
            {
                return TroveError.Of(409, e.Message);
            }
            return Results.StatusCode(StatusCodes.Status202Accepted);
        }));

        versions.MapPatch("/{id}", (string id, HttpContext context, CatalogRepository repository) => InstanceAsk.Guarded(async () =>
        {
            var body = await JsonBody.ReadAsync(context.Request);
            if (JsonBody.Bool(body, "active") is not { } isActive)
                throw RequestError.Invalid("'active' (true or false) is the attribute that can be changed here.");
            return await repository.SetVersionActiveAsync(id, isActive)
                ? Results.StatusCode(StatusCodes.Status202Accepted)
                : TroveError.NotFound($"Datastore version '{id}' cannot be found.");
        }));
        return tenant;
    }
}
