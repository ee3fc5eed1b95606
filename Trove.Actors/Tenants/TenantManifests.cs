namespace Trove.Actors.Tenants;

/// <summary>The serializer manifests of the tenant family's stored events and state and of the messages that cross
/// nodes. A manifest, once used, is never changed or reused: a renamed type keeps its manifest here.</summary>
public static class TenantManifests
{
    public static IReadOnlyDictionary<string, Type> All { get; } = new Dictionary<string, Type>
    {
        ["tenant.instance-reserved.v1"] = typeof(TenantEvents.InstanceReserved),
        ["tenant.instance-released.v1"] = typeof(TenantEvents.InstanceReleased),
        ["tenant.quotas-set.v1"] = typeof(TenantEvents.QuotasSet),
        ["tenant.state.v1"] = typeof(TenantState),
        ["tenant.reserve-instance"] = typeof(TenantCommands.ReserveInstance),
        ["tenant.release-instance"] = typeof(TenantCommands.ReleaseInstance),
        ["tenant.resize-instance"] = typeof(TenantCommands.ResizeInstance),
        ["tenant.get-quotas"] = typeof(TenantCommands.GetQuotas),
        ["tenant.set-quotas"] = typeof(TenantCommands.SetQuotas),
        ["tenant.reserved"] = typeof(TenantReplies.Reserved),
        ["tenant.released"] = typeof(TenantReplies.Released),
        ["tenant.quota-exceeded"] = typeof(TenantReplies.QuotaExceeded),
        ["tenant.quotas"] = typeof(TenantReplies.Quotas),
        ["tenant.invalid-quotas"] = typeof(TenantReplies.InvalidQuotas),
        ["tenant.already-released"] = typeof(TenantReplies.AlreadyReleased),
        ["tenant.backup-reserved.v1"] = typeof(TenantEvents.BackupReserved),
        ["tenant.backup-released.v1"] = typeof(TenantEvents.BackupReleased),
        ["tenant.reserve-backup"] = typeof(TenantCommands.ReserveBackup),
        ["tenant.release-backup"] = typeof(TenantCommands.ReleaseBackup),
    };
}
