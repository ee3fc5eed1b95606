using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Hosting;
using Trove.Actors.Backups;
using Trove.Actors.Catalog;
using Trove.Actors.Configurations;
using Trove.Actors.Hosting;
using Trove.Actors.Instances;
using Trove.Actors.ReadModel;
using Trove.Actors.Tenants;
using Trove.Web.Auth;
using Trove.Web.Errors;
using Trove.Web.Validation;
using Trove.Web.Views;

namespace Trove.Web.Endpoints;

/// <summary><c>/v1.0/{tenant_id}/instances</c>: lists read the read model; everything else asks the instance's entity.</summary>
public static class InstanceEndpoints
{

    public static RouteGroupBuilder MapInstances(this RouteGroupBuilder tenant)
    {
        var instances = tenant.MapGroup("/instances");
        instances.MapGet("", (string tenantId, HttpRequest request, ReadModelDb readModel, int? limit, string? marker) =>
            List(tenantId, request, readModel, limit, marker, InstanceView.Summary));
        instances.MapGet("/detail", (string tenantId, HttpRequest request, ReadModelDb readModel, int? limit, string? marker) =>
            List(tenantId, request, readModel, limit, marker, (s, r) => InstanceView.Detail(s, r)));
        instances.MapPost("", Create);
        instances.MapGet("/{id}", Show);
        instances.MapDelete("/{id}", Delete);
        instances.MapPut("/{id}", Update);
        instances.MapPatch("/{id}", Update);
        instances.MapPost("/{id}/action", Action);
        return tenant;
    }

    private static Task<IResult> List(string tenantId, HttpRequest request, ReadModelDb readModel, int? limit, string? marker,
        Func<InstanceState, HttpRequest, JsonObject> view) => InstanceAsk.Guarded(async () =>
    {
        var pageSize = Paging.Size(limit);
        var page = await readModel.ListAsync<InstanceState>(InstanceRegistration.TypeName, tenantId, pageSize, marker, request.HttpContext.RequestAborted);
        var body = new JsonObject { ["instances"] = new JsonArray(page.Select(s => (JsonNode)view(s, request)).ToArray()) };
        if (Links.NextPage(request, page.Count, pageSize, page.LastOrDefault()?.Id) is { } next)
            body["links"] = JsonSerializer.SerializeToNode(next);
        return Results.Json(body);
    });

    /// <summary>Parse, then one ask: the new instance's entity reserves the tenant's quota itself and gives it back
    /// if the create does not happen.</summary>
    private static async Task<IResult> Create(string tenantId, HttpRequest request, CatalogRepository catalog,
        IRequiredActor<InstanceRegion> instances, IRequiredActor<BackupRegion> backups, TroveSettings settings)
    {
        InstanceRequest parsed;
        try
        {
            var body = await JsonBody.ReadAsync(request);
            parsed = CreateInstanceParser.Parse(body, tenantId, await catalog.LoadAsync(request.HttpContext.RequestAborted));
            if (CreateInstanceParser.RestorePoint(body) is { } backupRef)
                parsed = parsed with { RestoreFrom = await BackupEndpoints.RestorableAsync(backups, tenantId, backupRef, parsed.Datastore, settings) };
        }
        catch (RequestError error)
        {
            return error.ToResult();
        }
        catch (ReplyError error)
        {
            return error.Result; // the backup to restore from refused
        }
        var reply = await instances.AskAsync(new InstanceCommands.Create(Guid.NewGuid().ToString(), parsed), settings);
        return reply is InstanceReplies.Accepted accepted
            ? Results.Json(new JsonObject { ["instance"] = InstanceView.Detail(accepted.State, request) })
            : InstanceAsk.ErrorOf(reply);
    }

    private static async Task<IResult> Show(string tenantId, string id, HttpRequest request,
        IRequiredActor<InstanceRegion> instances, ReadModelDb readModel, TroveSettings settings)
    {
        InstanceReply reply;
        try
        {
            reply = await instances.ActorRef.Ask<InstanceReply>(new InstanceCommands.Get(id, tenantId), settings.ShowFallbackAfter);
        }
        catch (AskTimeoutException)
        {
            var projected = await readModel.FindAsync<InstanceState>(InstanceRegistration.TypeName, tenantId, id, request.HttpContext.RequestAborted);
            reply = projected is null ? throw new TimeoutException($"instance {id} did not answer") : new InstanceReplies.Found(projected);
        }
        return reply is InstanceReplies.Found found
            ? Results.Json(new JsonObject { ["instance"] = InstanceView.Detail(found.State, request, found.VolumeUsed) })
            : InstanceAsk.ErrorOf(reply);
    }

    private static async Task<IResult> Delete(string tenantId, string id, IRequiredActor<InstanceRegion> instances, TroveSettings settings)
    {
        var reply = await instances.AskAsync(new InstanceCommands.Delete(id, tenantId), settings);
        return reply is InstanceReplies.Accepted ? Results.Accepted() : InstanceAsk.ErrorOf(reply);
    }

    /// <summary>What upstream's instance update also changes, and this API not yet.</summary>
    private static readonly string[] UnsupportedChanges = ["datastore_version", "replica_of", "slave_of", "detach_replica", "access"];

    /// <summary>PUT (and upstream's deprecated PATCH) of an instance: for now, its name.</summary>
    private static Task<IResult> Update(string tenantId, string id, HttpRequest request, IRequiredActor<InstanceRegion> instances,
        ConfigurationRepository configurations, TroveSettings settings) =>
        InstanceAsk.Guarded(async () =>
        {
            var instance = JsonBody.Object(await JsonBody.ReadAsync(request), "instance");
            if (instance.Select(p => p.Key).FirstOrDefault(k => k is not ("name" or "configuration")) is { } other)
            {
                if (!UnsupportedChanges.Contains(other))
                    throw RequestError.Invalid($"'{other}' is not an attribute of an instance that can be changed.");
                await instances.StateAsync(tenantId, id, settings);
                throw new RequestError(StatusCodes.Status501NotImplemented, $"Changing '{other}' of an instance is not supported yet.");
            }
            if (instance.ContainsKey("configuration"))
            {
                if (instance.Count > 1)
                    throw RequestError.Invalid("'configuration' is changed on its own.");
                return await ConfigurationEndpoints.AttachAsync(tenantId, id, JsonBody.String(instance, "configuration", false),
                    configurations, instances, settings);
            }
            var name = JsonBody.String(instance, "name", required: true)!.Trim();
            if (name.Length is 0 or > 255)
                throw RequestError.Invalid("'name' must be 1 to 255 characters.");
            return await instances.AskAsync(new InstanceCommands.Rename(id, tenantId, name), settings) is InstanceReplies.Accepted
                ? Results.StatusCode(StatusCodes.Status202Accepted)
                : TroveError.NotFound($"Instance {id} cannot be found.");
        });

    /// <summary><c>POST /instances/{id}/action</c> with exactly one action, as upstream.</summary>
    private static Task<IResult> Action(string tenantId, string id, HttpContext context, IRequiredActor<InstanceRegion> instances,
        IRequiredActor<TenantRegion> tenants, CatalogRepository catalog, TroveSettings settings) =>
        InstanceAsk.Guarded(async () =>
        {
            if (await JsonBody.ReadAsync(context.Request) is not { Count: 1 } body)
                throw RequestError.Invalid("the body must be an object with exactly one action.");
            IWithInstanceId command = body.First().Key switch
            {
                "restart" => new InstanceCommands.Restart(id, tenantId),
                "reset_status" => AdminOnly(context, new InstanceCommands.ResetStatus(id, tenantId)),
                "resize" => await ResizeAsync(tenantId, id, body["resize"], instances, tenants, catalog, settings),
                var other => throw RequestError.Invalid($"'{other}' is not an instance action."),
            };
            var reply = await instances.AskAsync(command, settings);
            return reply is InstanceReplies.Accepted ? Results.StatusCode(StatusCodes.Status202Accepted) : InstanceAsk.ErrorOf(reply);
        });

    /// <summary>Upstream's resize: a bigger volume, or another flavor; the tenant's quota takes the growth first.</summary>
    private static async Task<IWithInstanceId> ResizeAsync(string tenantId, string id, JsonNode? resize, IRequiredActor<InstanceRegion> instances,
        IRequiredActor<TenantRegion> tenants, CatalogRepository catalogRepository, TroveSettings settings)
    {
        if (resize is not JsonObject { Count: 1 } what)
            throw RequestError.Invalid("'resize' must hold exactly one of 'volume' and 'flavorRef'.");
        var state = await instances.StateAsync(tenantId, id, settings);
        var catalog = await catalogRepository.LoadAsync();
        var (volume, flavorId, ram) = (state.VolumeSize, state.FlavorId, state.RamMb);
        if (what["volume"] is JsonObject v)
        {
            if (!int.TryParse(JsonBody.Scalar(v, "size"), out volume) || volume <= state.VolumeSize)
                throw new RequestError(400, $"The new volume size must be a whole number of GB larger than the current {state.VolumeSize}.");
            if (volume > catalog.Settings.MaxVolumeSize)
                throw new RequestError(400, $"Volume size '{volume}' cannot exceed the maximum allowed volume size of {catalog.Settings.MaxVolumeSize} GB.");
        }
        else if (JsonBody.Scalar(what, "flavorRef") is { } flavorRef)
        {
            var flavor = catalog.FindFlavor(flavorRef) ?? throw new RequestError(404, $"Flavor '{flavorRef}' cannot be found.");
            if (flavor.Id == state.FlavorId)
                throw new RequestError(400, $"The instance already has flavor '{flavor.Id}'.");
            (flavorId, ram) = (flavor.Id, flavor.Ram);
        }
        else
        {
            throw RequestError.Invalid("'resize' must hold 'volume' with a 'size', or a 'flavorRef'.");
        }
        if (await tenants.ActorRef.Ask<TenantReply>(new TenantCommands.ResizeInstance(tenantId, id, volume, ram), settings.AskTimeout)
            is TenantReplies.QuotaExceeded exceeded)
            throw new RequestError(StatusCodes.Status413PayloadTooLarge, exceeded.Message);
        return new InstanceCommands.Resize(id, tenantId, volume, flavorId, ram);
    }

    private static IWithInstanceId AdminOnly(HttpContext context, IWithInstanceId command) =>
        context.IsAdmin() ? command : throw new RequestError(StatusCodes.Status403Forbidden, "This action needs the admin role.");
}
