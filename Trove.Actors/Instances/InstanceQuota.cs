using Trove.Actors.Serialization;

namespace Trove.Actors.Instances;

/// <summary>
/// The instance's hold on its tenant's quota, journaled by the instance entity around the create: asked for
/// (<see cref="QuotaEvents.Requested"/>, before the tenant is asked), granted, or given back. Not instance events:
/// they come before <see cref="InstanceEvents.Created"/>, and the read model never sees them. Once the instance is
/// created the hold is its own (released by the delete, before <see cref="InstanceEvents.Deleted"/>).
/// </summary>
public static class QuotaEvents
{
    public interface IQuotaEvent : ITroveMessage
    {
        DateTimeOffset At { get; }
    }

    public sealed record Requested(string TenantId, int VolumeGb, int RamMb, DateTimeOffset At) : IQuotaEvent;
    public sealed record Reserved(DateTimeOffset At) : IQuotaEvent;
    /// <summary>The create did not happen: the tenant has the reservation back (or never had it).</summary>
    public sealed record Released(DateTimeOffset At) : IQuotaEvent;

    /// <summary>A resize's hold on the tenant's quota, journaled by the created instance around the resize: the new size
    /// asked for (before the tenant is asked), granted (journaled with <see cref="InstanceEvents.ResizeStarted"/>), or the
    /// size before given back (the tenant refused, or the resize failed or was abandoned). Not instance events either.</summary>
    public interface IResizeQuotaEvent : ITroveMessage
    {
        DateTimeOffset At { get; }
    }

    public sealed record ResizeRequested(int VolumeGb, int RamMb, int PreviousVolumeGb, int PreviousRamMb, DateTimeOffset At) : IResizeQuotaEvent;
    public sealed record ResizeReserved(DateTimeOffset At) : IResizeQuotaEvent;
    /// <summary>The tenant holds the size before the resize again (or never held the new one).</summary>
    public sealed record ResizeReleased(DateTimeOffset At) : IResizeQuotaEvent;
}

public enum QuotaStage
{
    Requested,
    Reserved,
    Released,
}

/// <summary>What the instance holds of its tenant's quota before it is created.</summary>
public sealed record QuotaHold(string TenantId, int VolumeGb, int RamMb, QuotaStage Stage)
{
    public static QuotaHold? Apply(QuotaHold? hold, QuotaEvents.IQuotaEvent e) => (hold, e) switch
    {
        (_, QuotaEvents.Requested r) => new QuotaHold(r.TenantId, r.VolumeGb, r.RamMb, QuotaStage.Requested),
        (null, _) => null,
        (_, QuotaEvents.Reserved) => hold with { Stage = QuotaStage.Reserved },
        (_, QuotaEvents.Released) => hold with { Stage = QuotaStage.Released },
        _ => throw new InvalidOperationException($"unknown event {e.GetType().Name}"),
    };

    /// <summary>A create that asked for quota and was never created (the node stopped, the guest could not be
    /// reached): the reservation goes back, whether the tenant granted it or not (a release is idempotent).</summary>
    public static bool MustGiveBack(InstanceState? state, QuotaHold? hold) =>
        state is null && hold is { Stage: QuotaStage.Requested or QuotaStage.Reserved };
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
        _ => throw new InvalidOperationException($"unknown event {e.GetType().Name}"),
    };

    /// <summary>The size before goes back when the tenant was asked but the resize never started (the node stopped
    /// between the two), or when it started and is no longer running without the instance having the new size (it
    /// failed, or an admin reset it). A deleted instance gives its whole hold back instead.</summary>
    public static bool MustGiveBack(InstanceState? state, ResizeHold? hold) => hold switch
    {
        null or { Stage: QuotaStage.Released } => false,
        _ when state is null || state.IsDeleted || state.Task == InstanceTask.Deleting => false,
        { Stage: QuotaStage.Requested } => true,
        _ => state.Task != InstanceTask.Resizing && (state.VolumeSize, state.RamMb) != (hold.VolumeGb, hold.RamMb),
    };

    /// <summary>Not settled yet: a snapshot (which keeps the instance's state, not this) must wait until it is.</summary>
    public static bool IsOpen(InstanceState? state, ResizeHold? hold) =>
        MustGiveBack(state, hold) || hold is { Stage: QuotaStage.Reserved } && state is { Task: InstanceTask.Resizing };
}
