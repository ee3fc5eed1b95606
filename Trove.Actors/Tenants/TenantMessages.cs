using Trove.Actors.Serialization;

namespace Trove.Actors.Tenants;

public interface IWithTenantId
{
    string TenantId { get; }
}

/// <summary>Quota resources, as upstream names them; -1 means unlimited.</summary>
public sealed record QuotaLimits(int Instances, int Volumes, int Backups, int Ram = -1)
{
    public static readonly QuotaLimits Unlimited = new(-1, -1, -1);
}

public sealed record QuotaUsage(int Instances, int Volumes, int Backups, int Ram);

public static class TenantCommands
{
    /// <summary>Reserves what one instance uses; repeating it for the same instance reserves nothing more.</summary>
    public sealed record ReserveInstance(string TenantId, string InstanceId, int VolumeGb, int RamMb) : IWithTenantId, ITroveMessage;
    public sealed record ReleaseInstance(string TenantId, string InstanceId) : IWithTenantId, ITroveMessage;
    /// <summary>Changes what a reserved instance holds (a resize); refused when the growth would go over a limit.</summary>
    public sealed record ResizeInstance(string TenantId, string InstanceId, int VolumeGb, int RamMb) : IWithTenantId, ITroveMessage;
    public sealed record GetQuotas(string TenantId) : IWithTenantId, ITroveMessage;
    /// <summary>Admin: sets some of the tenant's limits; resources not named keep theirs.</summary>
    public sealed record SetQuotas(string TenantId, IReadOnlyDictionary<string, int> Limits) : IWithTenantId, ITroveMessage;
}

public static class TenantReplies
{
    public sealed record Reserved : ITroveMessage
    {
        public static readonly Reserved Instance = new();
    }

    public sealed record Released : ITroveMessage
    {
        public static readonly Released Instance = new();
    }

    /// <summary>Upstream's QuotaExceeded: the resources that would go over.</summary>
    public sealed record QuotaExceeded(IReadOnlyList<string> Resources) : ITroveMessage
    {
        public string Message => $"Quota exceeded for resources: [{string.Join(", ", Resources.Select(r => $"'{r}'"))}].";
    }

    public sealed record Quotas(QuotaLimits Limits, QuotaUsage Usage) : ITroveMessage;
    public sealed record InvalidQuotas(string Message) : ITroveMessage;
}

public static class TenantEvents
{
    public interface ITenantEvent : ITroveMessage;
    public sealed record InstanceReserved(string InstanceId, int VolumeGb, int RamMb, DateTimeOffset At) : ITenantEvent;
    public sealed record InstanceReleased(string InstanceId, DateTimeOffset At) : ITenantEvent;
    public sealed record QuotasSet(IReadOnlyDictionary<string, int> Limits, DateTimeOffset At) : ITenantEvent;
}
