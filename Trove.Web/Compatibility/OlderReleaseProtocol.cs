using Akka.Actor;
using Akka.Cluster;
using Akka.DependencyInjection;
using Akka.Hosting;
using Trove.Actors.Backups;
using Trove.Actors.Instances;
using Trove.Actors.Sharding;
using Trove.Actors.Tenants;
using Trove.Contracts.Guests;
using static Trove.Actors.Instances.InstanceCommands;

namespace Trove.Web.Compatibility;

/// <summary>
/// What the API sends while a node of the release before (d88d1e5) is in the cluster: only messages that release
/// reads, since any entity may live on such a node. A guest operation goes as its guest calls
/// (<see cref="CallGuest"/>), its names checked here; a configuration group is attached with its overrides; a create and a resize take the tenant's quota first, as that release's API did (the
/// tenant reserves once per instance, so an entity of this release taking it again changes nothing); a restore walks
/// its backup chain one backup at a time, and a backup is taken as that release's API took it. Every node of this release reads all of these too. What that release has no
/// message for (the configuration roll-out's singleton) waits until the upgrade ends.
/// </summary>
public sealed class OlderReleaseProtocol(IActorRef instances, IActorRef tenants, IActorRef backups, IConfigurationGroups groups, TimeSpan timeout)
{
    /// <summary>The protocol to speak when another release shares the cluster; null when every node runs this one.</summary>
    public static OlderReleaseProtocol? IfMixed(IActorRef localRegion, TimeSpan timeout)
    {
        if (localRegion is not ActorRefWithCell { Underlying.System: ExtendedActorSystem system } || !ClusterReleases.Mixed(Cluster.Get(system)))
            return null;
        var registry = ActorRegistry.For(system);
        return new OlderReleaseProtocol(registry.Get<InstanceRegion>(), registry.Get<TenantRegion>(), registry.Get<BackupRegion>(),
            DependencyResolver.For(system).Resolver.GetService<IConfigurationGroups>(), timeout);
    }

    public Task<InstanceReply> AskAsync(IWithInstanceId command) => command switch
    {
        IGuestCommand guest => GuestAsync(guest),
        Create create => CreateAsync(create),
        Resize resize => ResizeAsync(resize),
        SetConfiguration set => ConfigurationAsync(set),
        _ => Ask(command),
    };

    /// <summary>That release's entity checks no names: the datastore's rules are checked here, as its API did.</summary>
    private async Task<InstanceReply> GuestAsync(IGuestCommand command)
    {
        var looked = await Ask(new Get(command.InstanceId, command.TenantId));
        if (looked is not InstanceReplies.Found { State: var state })
            return looked;
        if (InstanceNames.Check(state.Datastore, command) is { } invalid)
            return invalid;
        InstanceReplies.GuestResult? last = null;
        foreach (var call in GuestOperations.CallsOf(command))
        {
            var reply = await Ask(new CallGuest(command.InstanceId, command.TenantId, call));
            if (reply is not InstanceReplies.GuestResult result)
                return reply;
            last = result;
        }
        return GuestOperations.ReplyOf(command, last?.Result);
    }

    /// <summary>That release's API walked a restore's chain (<see cref="ChainAsync"/>) and sent it in the create.</summary>
    private async Task<InstanceReply> CreateAsync(Create create)
    {
        if (create.Request is { RestoreBackupId: { } backupId, RestoreFrom: null })
        {
            var chain = await ChainAsync(new BackupCommands.GetChain(backupId, create.Request.TenantId));
            var (restore, refusal) = InstanceDecisions.Restore(create, BackupDecisions.RestorePointOf(chain));
            if (restore is null)
                return refusal!;
            create = restore;
        }
        var request = create.Request;
        if (await tenants.AskEntityAsync<TenantReply>(new TenantCommands.ReserveInstance(request.TenantId, create.InstanceId, request.VolumeSize, request.RamMb), timeout)
            is TenantReplies.QuotaExceeded exceeded)
            return new InstanceReplies.QuotaExceeded(exceeded.Message);
        var reply = await Ask(create);
        if (reply is not InstanceReplies.Accepted)
            await tenants.AskEntityAsync<TenantReply>(new TenantCommands.ReleaseInstance(request.TenantId, create.InstanceId), timeout);
        return reply;
    }

    /// <summary>That release's API read the group and sent its overrides to attach (or what a detach restarts); the same
    /// rules decide here. Its entity keeps no journal of the change under way: a crash between the two is that release's.</summary>
    private async Task<InstanceReply> ConfigurationAsync(SetConfiguration set)
    {
        var looked = await Ask(new Get(set.InstanceId, set.TenantId));
        if (looked is not InstanceReplies.Found { State: var state })
            return looked;
        if (InstanceDecisions.SetConfiguration(state, set, changeUnderWay: false) is { } refusal)
            return refusal;
        var group = await groups.FindAsync(set.TenantId, (set.ConfigurationId ?? state.ConfigurationId)!);
        var (refused, change) = InstanceDecisions.ConfigurationChange(state, set, group, DateTimeOffset.UtcNow);
        if (refused is not null)
            return refused;
        return await Ask(change!.ConfigurationId is { } id
            ? new AttachConfiguration(set.InstanceId, set.TenantId, id, change.Overrides, change.RestartRequired, change.Revision)
            : new DetachConfiguration(set.InstanceId, set.TenantId, change.RestartRequired));
    }

    /// <summary>That release's resize names every value, and its quota was the API's to take.</summary>
    private async Task<InstanceReply> ResizeAsync(Resize resize)
    {
        var looked = await Ask(new Get(resize.InstanceId, resize.TenantId));
        if (looked is not InstanceReplies.Found { State: var state })
            return looked;
        var whole = new Resize(resize.InstanceId, resize.TenantId, resize.VolumeSize ?? state.VolumeSize, resize.FlavorId ?? state.FlavorId,
            resize.RamMb ?? state.RamMb);
        if (await tenants.AskEntityAsync<TenantReply>(new TenantCommands.ResizeInstance(whole.TenantId, whole.InstanceId, whole.VolumeSize!.Value, whole.RamMb!.Value), timeout)
            is TenantReplies.QuotaExceeded exceeded)
            return new InstanceReplies.QuotaExceeded(exceeded.Message);
        return await Ask(whole);
    }

    /// <summary>That release's API checked the instance and the parent, marked the instance, then had the backup's entity
    /// (its <see cref="BackupCommands.Create"/>) ask the guest; the same rules decide here.</summary>
    public async Task<BackupReply> TakeAsync(BackupCommands.Take take)
    {
        var instance = await Ask(new Get(take.InstanceId, take.TenantId));
        if (BackupDecisions.CheckInstance(instance, take) is { } refusal)
            return refusal;
        BackupInfo? parent = null;
        if (take.ParentId is not null)
        {
            var chain = await ChainAsync(new BackupCommands.GetChain(take.ParentId, take.TenantId));
            if (BackupDecisions.CheckParent(chain, take) is { } wrongParent)
                return wrongParent;
            parent = ((BackupReplies.Chain)chain).Info;
        }
        if (BackupDecisions.Started(await Ask(new StartBackup(take.InstanceId, take.TenantId, take.BackupId))) is { } notStarted)
            return notStarted;
        var request = BackupDecisions.Request(take, ((InstanceReplies.Found)instance).State, parent);
        var created = await backups.AskEntityAsync<BackupReply>(new BackupCommands.Create(take.BackupId, request), timeout);
        if (created is not BackupReplies.Accepted)
            await Ask(new EndBackup(take.InstanceId, take.BackupId));
        return created;
    }

    /// <summary>A COMPLETED backup and the chain under it, asked of each backup in turn.</summary>
    public async Task<BackupReply> ChainAsync(BackupCommands.GetChain get)
    {
        if (await backups.AskEntityAsync<BackupReply>(new BackupCommands.Get(get.BackupId, get.TenantId), timeout) is not BackupReplies.Found { State: var state })
            return BackupDecisions.Link(null, get, null);
        if (state.ParentId is null || state.Status != BackupStatus.Completed)
            return BackupDecisions.Link(state, get, null);
        var parent = await ChainAsync(get with { BackupId = state.ParentId });
        return parent is BackupReplies.Chain chain ? BackupDecisions.Link(state, get, chain.Info) : parent;
    }

    private Task<InstanceReply> Ask(IWithInstanceId command) => instances.AskEntityAsync<InstanceReply>(command, timeout);
}
