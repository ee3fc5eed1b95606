using Trove.Web.OpenApi;
using System.Text.Json.Nodes;
using Trove.Actors.Sharding;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Trove.Actors.Backups;
using Trove.Actors.Catalog;
using Trove.Actors.Hosting;
using Trove.Actors.Instances;
using Trove.Actors.ReadModel;
using Trove.Web.Auth;
using Trove.Web.Compatibility;
using Trove.Web.Errors;
using Trove.Web.Requests;
using Trove.Web.Validation;
using Trove.Web.Views;
using Trove.Contracts.Datastores;
using Trove.Contracts.Guests;

namespace Trove.Web.Endpoints;

/// <summary><c>/backups</c> and <c>/instances/{id}/backups</c>: backups are entities of their own and outlive their instance.</summary>
public static class BackupEndpoints
{
    public static RouteGroupBuilder MapBackups(this RouteGroupBuilder tenant)
    {
        var backups = tenant.MapGroup("/backups").ProducesTroveErrors(409, 422, 501);
        backups.MapPost("", Create).Produces<BackupDocumentShape>(StatusCodes.Status202Accepted);
        backups.MapGet("", List).Produces<BackupListShape>();
        backups.MapGet("/{id}", Show).Produces<BackupDocumentShape>();
        backups.MapDelete("/{id}", Delete);

        tenant.MapGet("/instances/{id}/backups", ListOfInstance).Produces<BackupListShape>();
        return tenant;
    }

    public static async Task<Results<Ok<object>, TroveErrorResult>> Show(string tenantId, string id, IRequiredActor<BackupRegion> region,
        CatalogRepository catalog, TroveSettings settings) =>
        await region.ActorRef.AskEntityAsync<BackupReply>(new BackupCommands.Get(id, tenantId), settings.AskTimeout) is BackupReplies.Found found
            ? TypedResults.Ok<object>(new { backup = BackupView.Of(found.State, await catalog.LoadAsync()) })
            : TroveError.Result(404, $"Backup {id} cannot be found.");

    /// <summary>Upstream's <c>/instances/{id}/backups</c>: the backups of one instance the caller reaches (its owner, or an
    /// admin), from the read model; an instance the caller does not reach is 404, as upstream loads it first.</summary>
    public static async Task<Results<Ok<object>, TroveErrorResult>> ListOfInstance(string tenantId, string id, IRequiredActor<InstanceRegion> instances,
        ReadModelDb readModel, CatalogRepository catalog, TroveSettings settings)
    {
        if (await instances.AskAsync(new InstanceCommands.Get(id, tenantId), settings) is not InstanceReplies.Found { State: var instance })
            return TroveError.Result(404, $"Instance {id} cannot be found.");
        var all = await readModel.AllAsync<BackupState>(BackupRegistration.TypeName, instance.TenantId);
        var known = await catalog.LoadAsync();
        return TypedResults.Ok<object>(new { backups = all.Where(b => b.InstanceId == id).Select(b => BackupView.Of(b, known)) });
    }

    /// <summary>The tenant's backups; an admin's <c>all_projects</c> lists every project's, <c>project_id</c> one project's
    /// (upstream's <c>backup:index:all_projects</c> rule: a non-admin asking for either is refused, 403).</summary>
    public static async Task<Results<Ok<JsonObject>, TroveErrorResult>> List(string tenantId, HttpContext context, ReadModelDb readModel, CatalogRepository catalog,
        string? instance_id, string? datastore, int? limit, string? marker, string? all_projects, string? project_id)
    {
        var allProjects = Flag.IsTrue(all_projects);
        if ((allProjects || !string.IsNullOrEmpty(project_id)) && !context.IsAdmin())
            return TroveError.Result(403, "Policy doesn't allow backup:index:all_projects to be performed.");
        var all = !string.IsNullOrEmpty(project_id) ? await readModel.AllAsync<BackupState>(BackupRegistration.TypeName, project_id)
            : allProjects ? await readModel.AllTenantsAsync<BackupState>(BackupRegistration.TypeName)
            : await readModel.AllAsync<BackupState>(BackupRegistration.TypeName, tenantId);
        var matching = all.Where(b => (instance_id is null || b.InstanceId == instance_id) && (datastore is null || b.Datastore == datastore));
        var known = await catalog.LoadAsync(context.RequestAborted);
        return Paging.Result(context.Request, "backups", matching, b => b.Id, b => BackupView.Of(b, known), limit, marker);
    }

    /// <summary>Parse, then one ask: the backup's entity looks the instance and the parent chain up, marks the
    /// instance and asks its guest; an incremental backup without a parent goes on the instance's latest completed one.</summary>
    public static async Task<Results<Accepted<object>, TroveErrorResult>> Create(string tenantId, Body<CreateBackupBody> body, IRequiredActor<BackupRegion> backups,
        ReadModelDb readModel, CatalogRepository catalog, TroveSettings settings)
    {
        var backup = body.Value.Backup!;
        var parentId = backup.OnLatest
            ? (await readModel.AllAsync<BackupState>(BackupRegistration.TypeName, tenantId))
                .Where(b => b.InstanceId == backup.Instance && b.Status == BackupStatus.Completed).MaxBy(b => b.Created)?.Id
            : backup.ParentId;
        var take = new BackupCommands.Take(Guid.NewGuid().ToString(), tenantId, backup.Instance!,
            DisplayName.Check(backup.Name), backup.Description, parentId, backup.OnLatest);
        var reply = OlderReleaseProtocol.IfMixed(backups.ActorRef, settings.AskTimeout) is { } older
            ? await older.TakeAsync(take)
            : await backups.ActorRef.AskAsCallerAsync<BackupReply>(take, settings.AskTimeout);
        return reply is BackupReplies.Accepted accepted
            ? TypedResults.Accepted<object>((string?)null, new { backup = BackupView.Of(accepted.State, await catalog.LoadAsync()) })
            : ErrorOf(reply);
    }

    public static TroveErrorResult ErrorOf(BackupReply reply) => reply switch
    {
        BackupReplies.NotFound nf => TroveError.Result(404, $"Backup {nf.BackupId} cannot be found."),
        BackupReplies.InstanceNotFound nf => TroveError.Result(404, $"Instance {nf.InstanceId} cannot be found."),
        BackupReplies.Refused refused => TroveError.Result(422, refused.Message),
        BackupReplies.Conflict conflict => TroveError.Result(409, conflict.Message),
        BackupReplies.Invalid invalid => TroveError.Result(400, invalid.Message),
        BackupReplies.NotSupported notSupported => TroveError.Result(501, notSupported.Message),
        BackupReplies.QuotaExceeded exceeded => TroveError.Result(413, exceeded.Message),
        BackupReplies.Failed failed => TroveError.Result(500, failed.Message),
        var other => TroveError.Result(500, $"Unexpected reply {other.GetType().Name}."),
    };

    /// <summary>One ask: the backup's entity deletes the increments below it, then itself. An earlier release's entity
    /// deletes only itself, so while one may share the cluster a backup with increments is refused, as that release did.</summary>
    public static async Task<Results<Accepted, TroveErrorResult>> Delete(string tenantId, string id, ReadModelDb readModel, IRequiredActor<BackupRegion> backups, TroveSettings settings)
    {
        var all = await readModel.AllAsync<BackupState>(BackupRegistration.TypeName, tenantId);
        var below = Below(all, id);
        if (below.Count > 0 && OlderReleaseProtocol.IfMixed(backups.ActorRef, settings.AskTimeout) is not null)
            return TroveError.Result(409, $"Backup {id} has incremental backups; delete them first.");
        return await backups.ActorRef.AskAsCallerAsync<BackupReply>(new BackupCommands.Delete(id, tenantId, below.Count > 0 ? below : null), settings.AskTimeout) switch
        {
            BackupReplies.Accepted => TypedResults.Accepted((string?)null),
            var refusal => ErrorOf(refusal),
        };
    }

    /// <summary>The increments below a backup, as the read model knows them.</summary>
    private static List<string> Below(IReadOnlyList<BackupState> all, string id)
    {
        var below = new List<string>();
        for (var parents = new HashSet<string> { id }; parents.Count > 0;)
        {
            var children = all.Where(b => b.ParentId is { } p && parents.Contains(p) && !below.Contains(b.Id)).Select(b => b.Id).ToList();
            below.AddRange(children);
            parents = [.. children];
        }
        return below;
    }
}
