using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Hosting;
using Trove.Actors.Backups;
using Trove.Actors.Guests;
using Trove.Actors.Hosting;
using Trove.Actors.Instances;
using Trove.Actors.ReadModel;
using Trove.Web.Errors;
using Trove.Web.Validation;
using Trove.Web.Views;

namespace Trove.Web.Endpoints;

/// <summary><c>/backups</c> and <c>/instances/{id}/backups</c>: backups are entities of their own and outlive their instance.</summary>
public static class BackupEndpoints
{
    /// <summary>The datastores whose guests can take and restore backups.</summary>
    public static readonly string[] Supported = ["postgresql", "mariadb"];

    public static RouteGroupBuilder MapBackups(this RouteGroupBuilder tenant)
    {
        var backups = tenant.MapGroup("/backups");
        backups.MapPost("", Create);
        backups.MapGet("", async (string tenantId, HttpRequest request, ReadModelDb readModel, string? instance_id, string? datastore, int? limit, string? marker) =>
            await InstanceAsk.Guarded(async () =>
            {
                var all = await readModel.AllAsync<BackupState>(BackupRegistration.TypeName, tenantId);
                var matching = all.Where(b => (instance_id is null || b.InstanceId == instance_id) && (datastore is null || b.Datastore == datastore));
                var page = Paging.Page(matching, b => b.Id, limit, marker);
                return Paging.Result(request, "backups", page.Items.Select(b => View(b)), page);
            }));
        backups.MapGet("/{id}", async (string tenantId, string id, IRequiredActor<BackupRegion> region, TroveSettings settings) =>
            await region.ActorRef.Ask<BackupReply>(new BackupCommands.Get(id, tenantId), settings.AskTimeout) is BackupReplies.Found found
                ? Results.Json(new { backup = View(found.State) })
                : TroveError.NotFound($"Backup {id} cannot be found."));
        backups.MapDelete("/{id}", Delete);

        tenant.MapGet("/instances/{id}/backups", async (string tenantId, string id, ReadModelDb readModel) =>
        {
            var all = await readModel.AllAsync<BackupState>(BackupRegistration.TypeName, tenantId);
            return Results.Json(new { backups = all.Where(b => b.InstanceId == id).Select(b => View(b)) });
        });
        return tenant;
    }

    /// <summary>The datastores whose guests take incremental backups on top of an earlier one.</summary>
    public static readonly string[] Incremental = ["mariadb"];

    private static Task<IResult> Create(string tenantId, HttpRequest request, IRequiredActor<InstanceRegion> instances,
        IRequiredActor<BackupRegion> backups, ReadModelDb readModel, TroveSettings settings) => InstanceAsk.Guarded(async () =>
    {
        var backup = JsonBody.Object(await JsonBody.ReadAsync(request), "backup");
        var name = JsonBody.String(backup, "name", required: true)!.Trim();
        if (name.Length is 0 or > 255)
            throw RequestError.Invalid("'name' must be 1 to 255 characters.");
        var instanceId = JsonBody.String(backup, "instance", required: true)!;
        var description = JsonBody.String(backup, "description", required: false, JsonBody.DescriptionLength);
        var parentId = JsonBody.String(backup, "parent_id", required: false);
        var incremental = JsonBody.Bool(backup, "incremental") ?? false;

        var instance = await instances.StateAsync(tenantId, instanceId, settings);
        if (!Supported.Contains(instance.Datastore))
            throw new RequestError(StatusCodes.Status501NotImplemented, $"Backups of {instance.Datastore} are not supported yet.");
        BackupInfo? parent = null;
        if (parentId is not null || incremental)
        {
            if (!Incremental.Contains(instance.Datastore))
                throw new RequestError(400, $"Incremental backups are not supported for {instance.Datastore}; take a full backup.");
            // upstream's "incremental": on top of the instance's latest completed backup
            parentId ??= (await readModel.AllAsync<BackupState>(BackupRegistration.TypeName, tenantId))
                .Where(b => b.InstanceId == instanceId && b.Status == BackupStatus.Completed).MaxBy(b => b.Created)?.Id
                ?? throw new RequestError(400, $"Instance {instanceId} has no completed backup to take an increment from.");
            parent = await ChainAsync(backups, tenantId, parentId, settings);
            if ((await backups.ActorRef.Ask<BackupReply>(new BackupCommands.Get(parentId, tenantId), settings.AskTimeout) as BackupReplies.Found)?.State.InstanceId != instanceId)
                throw new RequestError(400, $"Backup {parentId} is not of instance {instanceId}.");
        }

        var id = Guid.NewGuid().ToString();
        var started = await instances.AskAsync(new InstanceCommands.StartBackup(instanceId, tenantId, id), settings);
        if (started is not InstanceReplies.Accepted)
            return InstanceAsk.ErrorOf(started);
        var reply = await backups.ActorRef.Ask<BackupReply>(new BackupCommands.Create(id,
            new BackupRequest(tenantId, instanceId, name, description, parentId, instance.Datastore, instance.DatastoreVersion, parent)), settings.AskTimeout);
        if (reply is BackupReplies.Accepted accepted)
            return Results.Json(new { backup = View(accepted.State) }, statusCode: StatusCodes.Status202Accepted);
        await instances.AskAsync(new InstanceCommands.EndBackup(instanceId, id), settings);
        return TroveError.Internal($"The backup could not be created: {reply}");
    });

    private static Task<IResult> Delete(string tenantId, string id, ReadModelDb readModel, IRequiredActor<BackupRegion> backups, TroveSettings settings) =>
        InstanceAsk.Guarded(async () =>
        {
            var all = await readModel.AllAsync<BackupState>(BackupRegistration.TypeName, tenantId);
            if (all.Any(b => b.ParentId == id))
                return TroveError.Of(StatusCodes.Status409Conflict, $"Backup {id} has incremental backups; delete them first.");
            return await backups.ActorRef.Ask<BackupReply>(new BackupCommands.Delete(id, tenantId), settings.AskTimeout) switch
            {
                BackupReplies.Accepted => Results.StatusCode(StatusCodes.Status202Accepted),
                BackupReplies.NotFound => TroveError.NotFound($"Backup {id} cannot be found."),
                BackupReplies.Refused refused => TroveError.Unprocessable(refused.Message),
                var other => TroveError.Internal($"Unexpected reply {other.GetType().Name}."),
            };
        });

    /// <summary>What a restore needs of a backup: the tenant's, COMPLETED, of the same datastore, with its parents.</summary>
    public static async Task<BackupInfo> RestorableAsync(IRequiredActor<BackupRegion> backups, string tenantId, string backupId,
        string datastore, TroveSettings settings)
    {
        var info = await ChainAsync(backups, tenantId, backupId, settings);
        if (await backups.ActorRef.Ask<BackupReply>(new BackupCommands.Get(backupId, tenantId), settings.AskTimeout) is BackupReplies.Found { State: var b }
            && b.Datastore != datastore)
            throw new RequestError(400, $"Backup {backupId} is of {b.Datastore}; it cannot be restored into {datastore}.");
        return info;
    }

    /// <summary>A COMPLETED backup and, for an increment, the chain of backups under it.</summary>
    private static async Task<BackupInfo> ChainAsync(IRequiredActor<BackupRegion> backups, string tenantId, string backupId, TroveSettings settings)
    {
        if (await backups.ActorRef.Ask<BackupReply>(new BackupCommands.Get(backupId, tenantId), settings.AskTimeout) is not BackupReplies.Found { State: var b })
            throw new RequestError(404, $"Backup {backupId} cannot be found.");
        if (b.Status != BackupStatus.Completed)
            throw new RequestError(StatusCodes.Status409Conflict, $"Backup {backupId} is {b.Status}; only a COMPLETED backup can be used.");
        return new BackupInfo(b.Id, b.Location, b.Checksum, b.ParentId is null ? null : await ChainAsync(backups, tenantId, b.ParentId, settings));
    }

    private static object View(BackupState b) => new
    {
        id = b.Id,
        name = b.Name,
        description = b.Description,
        locationRef = b.Location,
        instance_id = b.InstanceId,
        created = Views.InstanceView.Timestamp(b.Created),
        updated = Views.InstanceView.Timestamp(b.Updated),
        size = b.Size is { } bytes ? Math.Round(bytes / (1024.0 * 1024 * 1024), 6) : (double?)null,
        status = b.Status,
        parent_id = b.ParentId,
        datastore = new { type = b.Datastore, version = b.DatastoreVersion },
        fault = b.Fault,
    };
}
