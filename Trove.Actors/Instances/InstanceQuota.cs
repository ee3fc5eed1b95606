using Trove.Actors.Serialization;

namespace Trove.Actors.Instances;

/// <summary>
/// The instance's hold on its tenant's quota, journaled by the instance entity around the create: asked for
/// (<see cref="QuotaEvents.Requested"/>, before the tenant is asked), granted, then kept (with
/// <see cref="InstanceEvents.Created"/>) or given back. Not instance events: they come before the instance exists. Their own
/// projection (<see cref="InstanceRegistration.QuotaHoldProjection"/>) lists the holds still open, for the work resumer to wake
/// their entities after a crash. Once the instance is created the hold is its own (released by the delete).
/// </summary>
public static class QuotaEvents
{
    /// <summary>A create's or a resize's hold event: what the quota-hold projection follows.</summary>
    public interface IHoldEvent : ITroveMessage
    {
        DateTimeOffset At { get; }
    }

    public interface IQuotaEvent : IHoldEvent;

    /// <summary><paramref name="ReplicaOf"/>: a replica's source, which made it a slot already, and forgets it again if the
    /// create does not happen (after a crash too).</summary>
    public sealed record Requested(string TenantId, int VolumeGb, int RamMb, DateTimeOffset At, string? ReplicaOf = null) : IQuotaEvent;
    public sealed record Reserved(DateTimeOffset At) : IQuotaEvent;
    /// <summary>The create did not happen: the tenant has the reservation back (or never had it).</summary>
    public sealed record Released(DateTimeOffset At) : IQuotaEvent;
    /// <summary>The create happened (journaled with <see cref="InstanceEvents.Created"/>): the reservation is the instance's own.</summary>
    public sealed record Kept(DateTimeOffset At) : IQuotaEvent;

    /// <summary>A resize's hold on the tenant's quota, journaled by the created instance around the resize: the new size
    /// asked for (before the tenant is asked), granted (journaled with <see cref="InstanceEvents.ResizeStarted"/>), or the
    /// size before given back (the tenant refused, or the resize failed or was abandoned). Not instance events either.</summary>
    public interface IResizeQuotaEvent : IHoldEvent;

    public sealed record ResizeRequested(int VolumeGb, int RamMb, int PreviousVolumeGb, int PreviousRamMb, DateTimeOffset At) : IResizeQuotaEvent;
    public sealed record ResizeReserved(DateTimeOffset At) : IResizeQuotaEvent;
    /// <summary>The tenant holds the size before the resize again (or never held the new one).</summary>
    public sealed record ResizeReleased(DateTimeOffset At) : IResizeQuotaEvent;
    /// <summary>The tenant keeps what it holds: the resize ended with the new size, or the instance is being deleted
    /// (its delete gives all of it back).</summary>
    public sealed record ResizeKept(DateTimeOffset At) : IResizeQuotaEvent;
}

public enum QuotaStage
{
    Requested,
    Reserved,
    Released,
    Kept,
}

/// <summary>What the instance holds of its tenant's quota before it is created.</summary>
public sealed record QuotaHold(string TenantId, int VolumeGb, int RamMb, QuotaStage Stage, string? ReplicaOf = null)
{
    public static QuotaHold? Apply(QuotaHold? hold, QuotaEvents.IQuotaEvent e) => (hold, e) switch
    {
        (_, QuotaEvents.Requested r) => new QuotaHold(r.TenantId, r.VolumeGb, r.RamMb, QuotaStage.Requested, r.ReplicaOf),
        (null, _) => null,
        (_, QuotaEvents.Reserved) => hold with { Stage = QuotaStage.Reserved },
        (_, QuotaEvents.Released) => hold with { Stage = QuotaStage.Released },
        (_, QuotaEvents.Kept) => hold with { Stage = QuotaStage.Kept },
        _ => throw new InvalidOperationException($"unknown event {e.GetType().Name}"),
    };

    /// <summary>A create that asked for quota and was never created (the node stopped, the guest could not be
    /// reached): the reservation goes back, whether the tenant granted it or not (a release is idempotent).</summary>
    public static bool MustGiveBack(InstanceState? state, QuotaHold? hold) => state is null && IsOpen(hold);

    /// <summary>Asked for or granted, and neither kept nor given back yet.</summary>
    public static bool IsOpen(QuotaHold? hold) => hold is { Stage: QuotaStage.Requested or QuotaStage.Reserved };
}

/// <summary>What a resize holds of its tenant's quota: the tenant holds the new size from when it granted it; if the
/// resize does not end with that size, the instance gives the size before back, once.</summary>
public sealed record ResizeHold(int VolumeGb, int RamMb, int PreviousVolumeGb, int PreviousRamMb, QuotaStage Stage)
{
    public static ResizeHold? Apply(ResizeHold? hold, QuotaEvents.IResizeQuotaEvent e) => (hold, e) switch
    {
        (_, QuotaEvents.ResizeRequested r) => new ResizeHold(r.VolumeGb, r.RamMb, r.PreviousVolumeGb, r.PreviousRamMb, QuotaStage.Requested),
        (null, _) => null,
        (_, QuotaEvents.ResizeReserved) => hold with { Stage = QuotaStage.Reserved },
        (_, QuotaEvents.ResizeReleased) => hold with { Stage = QuotaStage.Released },
        (_, QuotaEvents.ResizeKept) => hold with { Stage = QuotaStage.Kept },
        _ => throw new InvalidOperationException($"unknown event {e.GetType().Name}"),
    };

    /// <summary>The size before goes back when the tenant was asked but the resize never started (the node stopped
    /// between the two), or when it started and is no longer running without the instance having the new size (it
    /// failed, or an admin reset it). A deleted instance gives its whole hold back instead.</summary>
    public static bool MustGiveBack(InstanceState? state, ResizeHold? hold) => hold switch
    {
        null or { Stage: QuotaStage.Released or QuotaStage.Kept } => false,
        _ when state is null || state.IsDeleted || state.Task == InstanceTask.Deleting => false,
        { Stage: QuotaStage.Requested } => true,
        _ => state.Task != InstanceTask.Resizing && (state.VolumeSize, state.RamMb) != (hold.VolumeGb, hold.RamMb),
    };

    /// <summary>Still running with the new size held: neither to give back nor to keep yet.</summary>
    private static bool IsRunning(InstanceState? state, ResizeHold? hold) =>
        hold is { Stage: QuotaStage.Reserved } && state is { Task: InstanceTask.Resizing };

    /// <summary>Settled without a give-back (the resize ended with the new size, or the instance is being deleted), but
    /// not yet journaled as kept: <see cref="QuotaEvents.ResizeKept"/> closes it for the quota-hold projection.</summary>
    public static bool MustKeep(InstanceState? state, ResizeHold? hold) =>
        IsOpen(hold) && !MustGiveBack(state, hold) && !IsRunning(state, hold);

    /// <summary>Asked for or granted, and neither kept nor given back yet: a snapshot (which keeps the instance's state,
    /// not this) must wait until it is journaled as settled.</summary>
    public static bool IsOpen(ResizeHold? hold) => hold is { Stage: QuotaStage.Requested or QuotaStage.Reserved };
}

/// <summary>An instance's holds on its tenant's quota, as the quota-hold projection folds them from the hold events
/// alone (with the entity's own apply): open while a create's or a resize's hold is asked for or granted and neither kept
/// nor given back. The work resumer wakes the entity of an open one, which keeps or gives it back.</summary>
public sealed record QuotaHolds(string TenantId, DateTimeOffset Since, QuotaHold? Create, ResizeHold? Resize)
{
    public bool IsOpen => QuotaHold.IsOpen(Create) || ResizeHold.IsOpen(Resize);

    public static QuotaHolds Apply(QuotaHolds? holds, QuotaEvents.IHoldEvent e)
    {
        // an instance created before this projection existed has no create hold: its tenant is not needed to wake it
        holds ??= new QuotaHolds("", e.At, null, null);
        return e switch
        {
            QuotaEvents.IQuotaEvent q when QuotaHold.Apply(holds.Create, q) is { } create =>
                holds with { TenantId = create.TenantId, Create = create },
            QuotaEvents.IQuotaEvent => holds,
            QuotaEvents.IResizeQuotaEvent r => holds with { Resize = ResizeHold.Apply(holds.Resize, r) },
            _ => throw new InvalidOperationException($"unknown event {e.GetType().Name}"),
        };
    }
}
