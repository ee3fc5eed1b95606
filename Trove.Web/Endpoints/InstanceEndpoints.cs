using Trove.Web.OpenApi;
using Trove.Actors.Sharding;
using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Trove.Actors.Catalog;
using Trove.Actors.Configurations;
using Trove.Actors.Hosting;
using Trove.Actors.Instances;
using Trove.Actors.Pool;
using Trove.Actors.ReadModel;
using Trove.Web.Auth;
using Trove.Web.Errors;
using Trove.Web.Requests;
using Trove.Web.Validation;
using Trove.Web.Views;

namespace Trove.Web.Endpoints;

/// <summary><c>/v1.0/{tenant_id}/instances</c>: lists read the read model; everything else asks the instance's entity.</summary>
public static class InstanceEndpoints
{
    public static RouteGroupBuilder MapInstances(this RouteGroupBuilder tenant)
    {
        var instances = tenant.MapGroup("/instances").ProducesTroveErrors(ErrorDocumentation.EntityAsk);
        instances.MapGet("", List).Produces<InstanceListShape>();
        instances.MapGet("/detail", ListDetail).Produces<InstanceListShape>();
        instances.MapPost("", Create).Produces<InstanceDocumentShape>();
        instances.MapGet("/{id}", Show).Produces<InstanceDocumentShape>();
        instances.MapDelete("/{id}", Delete);
        instances.MapPut("/{id}", Update).ProducesTroveErrors(501);
        instances.MapPatch("/{id}", Update).ProducesTroveErrors(501);
        instances.MapPost("/{id}/action", Action);
        instances.MapGet("/{id}/configuration", Configuration).Produces<InstanceConfigurationShape>();
        return tenant;
    }

    /// <summary>The summary view depends on the page and the address only: its bytes are kept with the page (<see cref="RenderedViews"/>).</summary>
    public static async Task<RenderedJson> List(string tenantId, HttpRequest request, ReadModelDb readModel, int? limit, string? marker)
    {
        var (page, pageSize) = await PageAsync(tenantId, request, readModel, limit, marker);
        return RenderedViews.Of(request, page, () => Paging.Fetched(request, "instances", page, pageSize, s => s.Id, s => InstanceView.Summary(s, request)).Value!);
    }

    public static async Task<Ok<JsonObject>> ListDetail(string tenantId, HttpRequest request, ReadModelDb readModel,
        ConfigurationRepository configurations, int? limit, string? marker)
    {
        var groups = (await configurations.ListAsync(tenantId, request.HttpContext.RequestAborted)).ToDictionary(g => g.Id, g => g.Name);
        var (page, pageSize) = await PageAsync(tenantId, request, readModel, limit, marker);
        return Paging.Fetched(request, "instances", page, pageSize, s => s.Id,
            s => InstanceView.Detail(s, request, configurationName: s.ConfigurationId is { } c ? groups.GetValueOrDefault(c) : null));
    }

    private static async Task<(IReadOnlyList<InstanceState> Page, int PageSize)> PageAsync(string tenantId, HttpRequest request, ReadModelDb readModel,
        int? limit, string? marker)
    {
        var pageSize = Paging.Size(limit);
        return (await readModel.ListAsync<InstanceState>(InstanceRegistration.TypeName, tenantId, pageSize, marker, request.HttpContext.RequestAborted), pageSize);
    }

    /// <summary>Parse, then one ask (through the warm pool when it is on, see <see cref="PoolClaim"/>): the new instance's entity reserves the tenant's quota itself and gives it back
    /// if the create does not happen; a restore names its backup, whose chain the entity asks for itself.</summary>
    public static async Task<Results<Ok<JsonObject>, TroveErrorResult>> Create(string tenantId, Body<CreateInstanceBody> body, HttpRequest request, CatalogRepository catalog,
        IRequiredActor<InstanceRegion> instances, IRequiredActor<ServerPoolKey> pool, TroveSettings settings)
    {
        var parsed = CreateInstanceParser.Parse(body.Value, tenantId, await catalog.LoadAsync(request.HttpContext.RequestAborted))
            with { RestoreBackupId = CreateInstanceParser.RestorePoint(body.Value), RestoreTime = CreateInstanceParser.RestoreTime(body.Value, DateTimeOffset.UtcNow) };
        // replica_count replicas are as many creates, each its own entity's; the answer shows the first, as upstream's
        InstanceReplies.Accepted? first = null;
        for (var i = 0; i < CreateInstanceParser.ReplicaCount(body.Value); i++)
        {
            var reply = await instances.CreateAsync(pool, parsed, settings);
            if (reply is not InstanceReplies.Accepted accepted)
                return InstanceAsk.ErrorOf(reply);
            first ??= accepted;
        }
        return TypedResults.Ok(new JsonObject { ["instance"] = InstanceView.Detail(first!.State, request) });
    }

    /// <summary>The detail view's bytes are kept with the entity's state object, which it answers with until an event
    /// changes it (<see cref="RenderedViews"/>); the figures kept beside the state, and the group's name, are its variant.</summary>
    public static async Task<Results<RenderedJson, TroveErrorResult>> Show(string tenantId, string id, HttpRequest request,
        IRequiredActor<InstanceRegion> instances, ReadModelDb readModel, ConfigurationRepository configurations, TroveSettings settings)
    {
        // The entity has the whole ask timeout; if it is slow, the read model answers meanwhile when it has the instance
        // (one just created may not be projected yet: then the entity's answer is still awaited).
        // (WaitAsync drops its timer when the entity answers; a Task.Delay would stay queued for the whole wait, one per show.)
        var asked = instances.ActorRef.AskEntityAsync<InstanceReply>(new InstanceCommands.Get(id, tenantId), settings.AskTimeout);
        InstanceReply reply;
        try
        {
            reply = await asked.WaitAsync(settings.ShowFallbackAfter, request.HttpContext.RequestAborted);
        }
        catch (TimeoutException) when (!asked.IsCompleted)
        {
            reply = await readModel.FindAsync<InstanceState>(InstanceRegistration.TypeName, tenantId, id, request.HttpContext.RequestAborted) is { } projected
                ? new InstanceReplies.Found(projected)
                : await asked;
        }
        if (reply is not InstanceReplies.Found found)
            return InstanceAsk.ErrorOf(reply);
        var group = found.State.ConfigurationId is { } groupId ? await configurations.GetAsync(found.State.TenantId, groupId, request.HttpContext.RequestAborted) : null;
        var variant = found is { VolumeUsed: null, ReplicationLag: null } && group is null
            ? ""
            : FormattableString.Invariant($"|{found.VolumeUsed:R}|{found.ReplicationLag:R}|{group?.Name}");
        return RenderedViews.Of(request, found.State,
            () => new JsonObject { ["instance"] = InstanceView.Detail(found.State, request, found.VolumeUsed, group?.Name, found.ReplicationLag) }, variant);
    }

    public static async Task<Results<Accepted, TroveErrorResult>> Delete(string tenantId, string id, IRequiredActor<InstanceRegion> instances,
        TroveSettings settings)
    {
        var reply = await instances.AskAsync(new InstanceCommands.Delete(id, tenantId), settings);
        return reply is InstanceReplies.Accepted ? TypedResults.Accepted((string?)null) : InstanceAsk.ErrorOf(reply);
    }

    /// <summary>PUT (and upstream's deprecated PATCH) of an instance, in one ask: its name, its access (the guest applies it
    /// to the engine first), a replica's detach from its source, or its configuration group (an id attaches it, null or "" detaches the attached one; the
    /// entity reads the group and owns the change). A change not supported yet is answered 501 once the instance is
    /// known to be the tenant's.</summary>
    public static async Task<Results<Accepted, TroveErrorResult>> Update(string tenantId, string id, Body<UpdateInstanceBody> body,
        IRequiredActor<InstanceRegion> instances, TroveSettings settings)
    {
        var change = body.Value.Instance!;
        IWithInstanceId command = change switch
        {
            { UnsupportedChange: not null } => new InstanceCommands.Get(id, tenantId),
            { DetachesReplica: true } => new InstanceCommands.DetachReplica(id, tenantId),
            { Access: { } access } => new InstanceCommands.SetAccess(id, tenantId, access.Parse()),
            { ChangesConfiguration: true } => new InstanceCommands.SetConfiguration(id, tenantId,
                string.IsNullOrEmpty(change.ConfigurationId) ? null : change.ConfigurationId),
            _ => new InstanceCommands.Rename(id, tenantId, DisplayName.Check(change.Name)),
        };
        return await instances.AskAsync(command, settings) switch
        {
            InstanceReplies.Found => TroveError.Result(501, $"Changing '{change.UnsupportedChange}' of an instance is not supported yet."),
            InstanceReplies.Accepted => TypedResults.Accepted((string?)null),
            var reply => InstanceAsk.ErrorOf(reply),
        };
    }

    /// <summary>Upstream's instance configuration, in one ask: the engine's effective values, which its guest reads (upstream
    /// renders its default template instead; the engine's values also show a group's overrides and the flavor's sizing).</summary>
    public static async Task<Results<Ok<object>, TroveErrorResult>> Configuration(string tenantId, string id,
        IRequiredActor<InstanceRegion> instances, TroveSettings settings) =>
        await instances.AskAsync(new InstanceCommands.GetConfiguration(id, tenantId), settings) switch
        {
            InstanceReplies.ConfigurationRead read => TypedResults.Ok<object>(new { instance = new { configuration = read.Values } }),
            var reply => InstanceAsk.ErrorOf(reply),
        };

    /// <summary><c>POST /instances/{id}/action</c>: parse, then one ask. A resize's flavor is looked up in the catalog here;
    /// the entity decides whether it is a change, and takes the growth from its tenant's quota itself.</summary>
    public static async Task<Results<Accepted, TroveErrorResult>> Action(string tenantId, string id, Body<InstanceActionBody> body, HttpContext context,
        IRequiredActor<InstanceRegion> instances, CatalogRepository catalog, TroveSettings settings)
    {
        var action = body.Value;
        IWithInstanceId command = action switch
        {
            { Resize: { } resize } => await ResizeAsync(tenantId, id, resize, catalog, context.RequestAborted),
            { ResetStatus.ValueKind: not JsonValueKind.Undefined } => context.IsAdmin()
                ? new InstanceCommands.ResetStatus(id, tenantId)
                : throw new RequestError(StatusCodes.Status403Forbidden, "This action needs the admin role."),
            { PromoteToReplicaSource.ValueKind: not JsonValueKind.Undefined } => new InstanceCommands.PromoteToReplicaSource(id, tenantId),
            { EjectReplicaSource.ValueKind: not JsonValueKind.Undefined } => new InstanceCommands.EjectReplicaSource(id, tenantId),
            _ => new InstanceCommands.Restart(id, tenantId),
        };
        var reply = await instances.AskAsync(command, settings);
        return reply is InstanceReplies.Accepted ? TypedResults.Accepted((string?)null) : InstanceAsk.ErrorOf(reply);
    }

    /// <summary>Upstream's resize: a bigger volume (within the catalog's maximum), or another flavor of the catalog.</summary>
    private static async Task<InstanceCommands.Resize> ResizeAsync(string tenantId, string id, InstanceActionBody.ResizeBody resize,
        CatalogRepository catalogRepository, CancellationToken ct)
    {
        var catalog = await catalogRepository.LoadAsync(ct);
        if (resize.VolumeSize is { } volume)
            return volume > catalog.Settings.MaxVolumeSize
                ? throw new RequestError(400, $"Volume size '{volume}' cannot exceed the maximum allowed volume size of {catalog.Settings.MaxVolumeSize} GB.")
                : InstanceCommands.Resize.Grow(id, tenantId, volume);
        var flavorRef = resize.FlavorRef!.Value.Text;
        var flavor = catalog.FindFlavor(flavorRef) ?? throw new RequestError(404, $"Flavor '{flavorRef}' cannot be found.");
        return InstanceCommands.Resize.ToFlavor(id, tenantId, flavor.Id, flavor.Ram);
    }
}
