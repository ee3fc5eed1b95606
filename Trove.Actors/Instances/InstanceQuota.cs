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
