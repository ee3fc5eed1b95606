using static Trove.Actors.Tenants.TenantCommands;
using static Trove.Actors.Tenants.TenantEvents;

namespace Trove.Actors.Tenants;

/// <summary>What a tenant command decides: the reply, and the event to persist before replying (if any).</summary>
public sealed record TenantDecision(TenantReply Reply, ITenantEvent? Event = null);

/// <summary>The tenant's quota rules as pure functions of its state; the entity only persists and replies.
/// Every instance-keyed command is idempotent per instance id: repeated, it changes nothing more.</summary>
public static class TenantDecisions
{
    public static TenantDecision Reserve(TenantState state, QuotaLimits defaults, ReserveInstance cmd, DateTimeOffset now)
    {
        if (state.Instances.ContainsKey(cmd.InstanceId))
            return new(TenantReplies.Reserved.Instance);
        if (state.WasReleased(cmd.InstanceId))
            return new(new TenantReplies.AlreadyReleased(cmd.InstanceId));
        var over = state.Exceeded(state.LimitsWith(defaults), cmd.VolumeGb, cmd.RamMb);
        return over.Count > 0
            ? new(new TenantReplies.QuotaExceeded(over))
            : new(TenantReplies.Reserved.Instance, new InstanceReserved(cmd.InstanceId, cmd.VolumeGb, cmd.RamMb, now));
    }

    /// <summary>Only the growth over what the instance holds counts against the limits: a shrink (a failed resize giving
    /// its growth back) is never refused, even under limits lowered meanwhile.</summary>
    public static TenantDecision Resize(TenantState state, QuotaLimits defaults, ResizeInstance cmd, DateTimeOffset now)
    {
        if (state.WasReleased(cmd.InstanceId))
            return new(new TenantReplies.AlreadyReleased(cmd.InstanceId));
        var held = state.Instances.GetValueOrDefault(cmd.InstanceId);
        var (volumeGrowth, ramGrowth) = (cmd.VolumeGb - (held?.VolumeGb ?? 0), cmd.RamMb - (held?.RamMb ?? 0));
        var over = state.Exceeded(state.LimitsWith(defaults), volumeGrowth, ramGrowth, instances: held is null ? 1 : 0)
            .Where(resource => resource switch { "volumes" => volumeGrowth > 0, "ram" => ramGrowth > 0, _ => true })
            .ToList();
        return over.Count > 0
            ? new(new TenantReplies.QuotaExceeded(over))
            : new(TenantReplies.Reserved.Instance, new InstanceReserved(cmd.InstanceId, cmd.VolumeGb, cmd.RamMb, now));
    }

    /// <summary>Released once; an id never reserved is remembered as released too, so that a reserve still on its way
    /// (from a create that gave up) cannot take the quota after the release.</summary>
    public static TenantDecision Release(TenantState state, ReleaseInstance cmd, DateTimeOffset now) =>
        state.WasReleased(cmd.InstanceId)
            ? new(TenantReplies.Released.Instance)
            : new(TenantReplies.Released.Instance, new InstanceReleased(cmd.InstanceId, now));

    /// <summary>One backup more, within the <c>backups</c> limit; idempotent per backup id, and never again once released.</summary>
    public static TenantDecision ReserveBackup(TenantState state, QuotaLimits defaults, ReserveBackup cmd, DateTimeOffset now)
    {
        if (state.HoldsBackup(cmd.BackupId))
            return new(TenantReplies.Reserved.Instance);
        if (state.WasReleasedBackup(cmd.BackupId))
            return new(new TenantReplies.AlreadyReleased(cmd.BackupId));
        var limit = state.LimitsWith(defaults).Backups;
        return limit >= 0 && state.Usage.Backups + 1 > limit
            ? new(new TenantReplies.QuotaExceeded(["backups"]))
            : new(TenantReplies.Reserved.Instance, new BackupReserved(cmd.BackupId, now));
    }

    /// <summary>Released once; an id never reserved is remembered as released too (a reserve still on its way must not take it).</summary>
    public static TenantDecision ReleaseBackup(TenantState state, ReleaseBackup cmd, DateTimeOffset now) =>
        state.WasReleasedBackup(cmd.BackupId)
            ? new(TenantReplies.Released.Instance)
            : new(TenantReplies.Released.Instance, new BackupReleased(cmd.BackupId, now));

    public static TenantDecision SetQuotas(TenantState state, QuotaLimits defaults, SetQuotas cmd, DateTimeOffset now)
    {
        var unknown = cmd.Limits.Keys.Except(TenantState.Resources).ToList();
        if (unknown.Count > 0)
            return new(new TenantReplies.InvalidQuotas($"Unknown quota resources: {string.Join(", ", unknown)}."));
        if (cmd.Limits.Values.Any(v => v < -1))
            return new(new TenantReplies.InvalidQuotas("A quota limit must be -1 (unlimited) or more."));
        var set = new QuotasSet(cmd.Limits, now);
        var after = state.Apply(set);
        return new(new TenantReplies.Quotas(after.LimitsWith(defaults), after.Usage), set);
    }
}
