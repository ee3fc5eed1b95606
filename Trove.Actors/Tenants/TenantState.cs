using System.Collections.Immutable;
using Trove.Actors.Serialization;
using static Trove.Actors.Tenants.TenantEvents;

namespace Trove.Actors.Tenants;

/// <summary>One tenant's quota overrides and what its instances hold. Rebuilt from events; decisions are pure.</summary>
public sealed record TenantState(
    ImmutableDictionary<string, int> Overrides,
    ImmutableDictionary<string, InstanceReserved> Instances,
    ImmutableHashSet<string>? ReleasedInstances = null,
    ImmutableHashSet<string>? Backups = null,
    ImmutableHashSet<string>? ReleasedBackups = null) : ITroveMessage
{
    public static readonly TenantState Empty = new(ImmutableDictionary<string, int>.Empty, ImmutableDictionary<string, InstanceReserved>.Empty);

    /// <summary>Instances whose reservation went back: none of them reserves again. (Null in snapshots of earlier
    /// releases; their journals replay their releases into it.)</summary>
    public bool WasReleased(string instanceId) => ReleasedInstances?.Contains(instanceId) == true;

    /// <summary>Backups given back (deleted, or never taken): none of them reserves again. (Null in earlier releases' snapshots.)</summary>
    public bool WasReleasedBackup(string backupId) => ReleasedBackups?.Contains(backupId) == true;

    public bool HoldsBackup(string backupId) => Backups?.Contains(backupId) == true;

    public static readonly IReadOnlyList<string> Resources = ["instances", "volumes", "backups", "ram"];

    public TenantState Apply(ITenantEvent e) => e switch
    {
        InstanceReserved r => this with { Instances = Instances.SetItem(r.InstanceId, r) },
        InstanceReleased r => this with
        {
            Instances = Instances.Remove(r.InstanceId),
            ReleasedInstances = (ReleasedInstances ?? ImmutableHashSet<string>.Empty).Add(r.InstanceId),
        },
        BackupReserved r => this with { Backups = (Backups ?? ImmutableHashSet<string>.Empty).Add(r.BackupId) },
        BackupReleased r => this with
        {
            Backups = Backups?.Remove(r.BackupId),
            ReleasedBackups = (ReleasedBackups ?? ImmutableHashSet<string>.Empty).Add(r.BackupId),
        },
        QuotasSet q => this with { Overrides = Overrides.SetItems(q.Limits) },
        _ => throw new InvalidOperationException($"unknown event {e.GetType().Name}"),
    };

    public QuotaLimits LimitsWith(QuotaLimits defaults) => new(
        Overrides.GetValueOrDefault("instances", defaults.Instances),
        Overrides.GetValueOrDefault("volumes", defaults.Volumes),
        Overrides.GetValueOrDefault("backups", defaults.Backups),
        Overrides.GetValueOrDefault("ram", defaults.Ram));

    public QuotaUsage Usage => new(Instances.Count, Instances.Values.Sum(i => i.VolumeGb), Backups?.Count ?? 0, Instances.Values.Sum(i => i.RamMb));

    /// <summary>The resources a new instance would take over their limits; empty when it fits.</summary>
    public IReadOnlyList<string> Exceeded(QuotaLimits limits, int volumeGb, int ramMb, int instances = 1) =>
        limits.Exceeded(Usage, volumeGb, ramMb, instances);
}
