using Trove.Web.OpenApi;
using Akka.Actor;
using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Trove.Actors.Catalog;
using Trove.Actors.Configurations;
using Trove.Actors.Hosting;
using Trove.Actors.Instances;
using Trove.Actors.ReadModel;
using Trove.Web.Compatibility;
using Trove.Web.Errors;
using Trove.Web.Requests;
using Trove.Web.Validation;
using Trove.Web.Views;

namespace Trove.Web.Endpoints;

/// <summary><c>/configurations</c>: configuration groups (SQL) and their parameters; attached instances get their values.</summary>
public static class ConfigurationEndpoints
{
    public static RouteGroupBuilder MapConfigurations(this RouteGroupBuilder tenant)
    {
        var groups = tenant.MapGroup("/configurations");
        groups.MapPost("", Create).Produces<ConfigurationDocumentShape>();
        groups.MapGet("", List).Produces<ConfigurationListShape>();
        groups.MapGet("/{id}", Show).Produces<ConfigurationDocumentShape>();
        groups.MapGet("/{id}/instances", ListInstances).Produces<AttachedInstancesShape>();
        groups.MapPatch("/{id}", Merge);
        groups.MapPut("/{id}", Replace);
        groups.MapDelete("/{id}", Delete);

        tenant.MapGet("/datastores/{ds}/versions/{v}/parameters", ListParameters).Produces<ParameterListShape>();
        tenant.MapGet("/datastores/{ds}/versions/{v}/parameters/{name}", GetParameter).Produces<ParameterShape>();
        tenant.MapGet("/datastores/versions/{vid}/parameters", ListParametersOfVersionId).Produces<ParameterListShape>();
        tenant.MapGet("/datastores/versions/{vid}/parameters/{name}", GetParameterOfVersionId).Produces<ParameterShape>();
        return tenant;
    }

    public static async Task<Ok<object>> Create(string tenantId, Body<CreateConfigurationBody> body, ConfigurationRepository repository,
        CatalogRepository catalog)
    {
        var configuration = body.Value.Configuration!;
        var name = DisplayName.Check(configuration.Name);
        var (datastore, version) = await DatastoreAsync(configuration.Datastore, catalog);
        var values = await ValidateAsync(configuration.Values!, datastore, version, repository);
        var now = DateTimeOffset.UtcNow.UtcTicks;
        var row = new ConfigurationRow
        {
            Id = Guid.NewGuid().ToString(), TenantId = tenantId, Name = name, Description = configuration.Description,
            Datastore = datastore, DatastoreVersion = version, ValuesJson = JsonSerializer.Serialize(values), CreatedTicks = now, UpdatedTicks = now,
        };
        await repository.InsertAsync(row);
        return TypedResults.Ok<object>(new { configuration = View(row, 0, await catalog.LoadAsync()) });
    }

    public static async Task<Ok<object>> List(string tenantId, ConfigurationRepository repository, ReadModelDb readModel, CatalogRepository catalog)
    {
        var instances = await readModel.AllAsync<InstanceState>(InstanceRegistration.TypeName, tenantId);
        var known = await catalog.LoadAsync();
        return TypedResults.Ok<object>(new
        {
            configurations = (await repository.ListAsync(tenantId)).Select(r => View(r, instances.Count(i => i.ConfigurationId == r.Id), known)),
        });
    }

    public static async Task<Ok<object>> Show(string tenantId, string id, ConfigurationRepository repository, ReadModelDb readModel,
        CatalogRepository catalog)
    {
        var row = await FindAsync(repository, tenantId, id);
        return TypedResults.Ok<object>(new
        {
            configuration = View(row, (await ConfigurationApply.AttachedAsync(readModel, tenantId, id)).Count, await catalog.LoadAsync()),
        });
    }

    public static async Task<Ok<object>> ListInstances(string tenantId, string id, ConfigurationRepository repository, ReadModelDb readModel)
    {
        await FindAsync(repository, tenantId, id);
        return TypedResults.Ok<object>(new
        {
            instances = (await ConfigurationApply.AttachedAsync(readModel, tenantId, id)).Select(i => new { id = i.Id, name = i.Name }),
        });
    }

    /// <summary>PATCH: the values given are changed, the others kept.</summary>
    public static async Task<Ok> Merge(string tenantId, string id, Body<ChangeConfigurationBody> body, ConfigurationRepository repository,
        IRequiredActor<ConfigurationRollout> rollout, TroveSettings settings)
    {
        await ChangeAsync(tenantId, id, body.Value, repository, rollout, settings, merge: true);
        return TypedResults.Ok();
    }

    /// <summary>PUT: the values given replace all the group's values.</summary>
    public static async Task<Accepted> Replace(string tenantId, string id, Body<ChangeConfigurationBody> body, ConfigurationRepository repository,
        IRequiredActor<ConfigurationRollout> rollout, TroveSettings settings)
    {
        await ChangeAsync(tenantId, id, body.Value, repository, rollout, settings, merge: false);
        return TypedResults.Accepted((string?)null);
    }

    public static async Task<Results<Accepted, TroveErrorResult>> Delete(string tenantId, string id, ConfigurationRepository repository,
        ReadModelDb readModel)
    {
        await FindAsync(repository, tenantId, id);
        if ((await ConfigurationApply.AttachedAsync(readModel, tenantId, id)).Count > 0)
            return TroveError.Result(400, $"Configuration group {id} is attached to instances; detach it first.");
        await repository.DeleteAsync(id);
        return TypedResults.Accepted((string?)null);
    }

    public static async Task<Ok<object>> ListParameters(string ds, string v, CatalogRepository catalog, ConfigurationRepository repository) =>
        await ParametersAsync(await VersionAsync(catalog, ds, v), repository);

    public static async Task<Results<Ok<object>, TroveErrorResult>> GetParameter(string ds, string v, string name, CatalogRepository catalog,
        ConfigurationRepository repository) =>
        await FindParameterAsync(await VersionAsync(catalog, ds, v), repository, name);

    public static async Task<Ok<object>> ListParametersOfVersionId(string vid, CatalogRepository catalog, ConfigurationRepository repository) =>
        await ParametersAsync(await VersionAsync(catalog, null, vid), repository);

    public static async Task<Results<Ok<object>, TroveErrorResult>> GetParameterOfVersionId(string vid, string name, CatalogRepository catalog,
        ConfigurationRepository repository) =>
        await FindParameterAsync(await VersionAsync(catalog, null, vid), repository, name);

    private static async Task ChangeAsync(string tenantId, string id, ChangeConfigurationBody body, ConfigurationRepository repository,
        IRequiredActor<ConfigurationRollout> rollout, TroveSettings settings, bool merge)
    {
        var group = await FindAsync(repository, tenantId, id);
        var changed = await ValidateAsync(body.Configuration!.Values!, group.Datastore, group.DatastoreVersion, repository);
        var values = merge ? new Dictionary<string, JsonElement>(ConfigurationApply.ValuesOf(group)) : new Dictionary<string, JsonElement>();
        foreach (var (k, v) in changed)
            values[k] = v;
        await repository.UpdateValuesAsync(id, values);
        // Instances using the group get its new values, as upstream pushes them to their guests; the roll-out finishes
        // by itself what a timeout or a crash leaves undone. Its singleton runs on the oldest node: during an upgrade from
        // the release before, which has none, its sweep brings the change once the upgrade ends.
        if (OlderReleaseProtocol.IfMixed(rollout.ActorRef, settings.AskTimeout) is null)
            try
            {
                await rollout.ActorRef.AskAsCallerAsync<ConfigurationRollout.RolledOut>(new ConfigurationRollout.Roll(tenantId, id), settings.AskTimeout);
            }
            catch (AskTimeoutException)
            {
            }
    }

    private static async Task<(string Datastore, string Version)> DatastoreAsync(CreateInstanceBody.DatastoreBody? asked, CatalogRepository catalogRepository)
    {
        var catalog = await catalogRepository.LoadAsync();
        var type = asked?.Type;
        var datastore = catalog.FindDatastore(type ?? catalog.Settings.DefaultDatastore)
                        ?? throw new RequestError(404, $"Datastore '{type}' cannot be found.");
        var versionName = asked?.Version;
        var version = CatalogService.FindVersion(datastore, versionName ?? datastore.DefaultVersion)
                      ?? throw new RequestError(404, $"Datastore version '{versionName}' cannot be found.");
        return (datastore.Type, version.Name);
    }

    /// <summary>Every value checked against the datastore's rules: unknown parameters, wrong types and values out of range are refused.</summary>
    private static async Task<Dictionary<string, JsonElement>> ValidateAsync(Dictionary<string, ParameterValue> values, string datastore,
        string version, ConfigurationRepository repository)
    {
        var rules = await repository.RulesAsync(datastore, version);
        var valid = new Dictionary<string, JsonElement>();
        foreach (var (name, value) in values)
        {
            var rule = rules.FirstOrDefault(r => r.Name == name)
                       ?? throw new RequestError(400, $"The configuration parameter {name} is not supported for {datastore}.");
            if (rule.Check(value.ToNode()).Error is { } error)
                throw new RequestError(400, error);
            valid[name] = value.Element;
        }
        return valid;
    }

    private static async Task<ConfigurationRow> FindAsync(ConfigurationRepository repository, string tenantId, string id) =>
        await repository.GetAsync(tenantId, id) ?? throw new RequestError(404, $"Configuration group {id} cannot be found.");


    private static async Task<(Datastore, DatastoreVersion)> VersionAsync(CatalogRepository repository, string? ds, string v)
    {
        var catalog = await repository.LoadAsync();
        foreach (var datastore in ds is null ? catalog.Datastores : catalog.FindDatastore(ds) is { } found ? [found] : [])
            if (CatalogService.FindVersion(datastore, v) is { } version)
                return (datastore, version);
        throw new RequestError(404, $"Datastore version '{v}' cannot be found.");
    }

    private static async Task<Ok<object>> ParametersAsync((Datastore Datastore, DatastoreVersion Version) target, ConfigurationRepository repository) =>
        TypedResults.Ok<object>(new Dictionary<string, object>
        {
            ["configuration-parameters"] = (await repository.RulesAsync(target.Datastore.Type, target.Version.Name)).Select(r => ParameterView(r, target.Version)),
        });

    private static async Task<Results<Ok<object>, TroveErrorResult>> FindParameterAsync((Datastore Datastore, DatastoreVersion Version) target,
        ConfigurationRepository repository, string name) =>
        (await repository.RulesAsync(target.Datastore.Type, target.Version.Name)).FirstOrDefault(r => r.Name == name) is { } rule
            ? TypedResults.Ok(ParameterView(rule, target.Version))
            : TroveError.Result(404, $"Configuration parameter {name} cannot be found for {target.Datastore.Type}.");

    private static object ParameterView(ParameterRule r, DatastoreVersion version) => new
    {
        name = r.Name, datastore_version_id = version.Id, restart_required = r.RestartRequired, type = r.Type, min = r.Min, max = r.Max,
    };

    /// <summary>Upstream's detailed configuration view (its list's too, which upstream gives without values and count).</summary>
    private static object View(ConfigurationRow r, int instanceCount, CatalogService catalog) => new
    {
        id = r.Id,
        name = r.Name,
        description = r.Description,
        values = JsonSerializer.Deserialize<JsonObject>(r.ValuesJson),
        created = InstanceView.Timestamp(new DateTimeOffset(r.CreatedTicks, TimeSpan.Zero)),
        updated = InstanceView.Timestamp(new DateTimeOffset(r.UpdatedTicks, TimeSpan.Zero)),
        datastore_name = r.Datastore,
        datastore_version_name = r.DatastoreVersion,
        datastore_version_id = catalog.VersionIdOf(r.Datastore, r.DatastoreVersion),
        datastore_version_number = r.DatastoreVersion, // the catalog names its versions by their number
        instance_count = instanceCount,
    };
}
