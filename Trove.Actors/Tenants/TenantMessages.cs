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

    /// <summary>The resources <paramref name="instances"/> more instances would take over these limits; empty when they fit.</summary>
    public IReadOnlyList<string> Exceeded(QuotaUsage usage, int volumeGb, int ramMb, int instances = 1)
    {
        var over = new List<string>();
        if (Instances >= 0 && instances > 0 && usage.Instances + instances > Instances) over.Add("instances");
        if (Volumes >= 0 && usage.Volumes + volumeGb > Volumes) over.Add("volumes");
        if (Ram >= 0 && usage.Ram + ramMb > Ram) over.Add("ram");
        return over;
    }
}

public sealed record QuotaUsage(int Instances, int Volumes, int Backups, int Ram);

public static class TenantCommands
{
    /// <summary>Reserves what one instance uses; repeating it for the same instance reserves nothing more.</summary>
    public sealed record ReserveInstance(string TenantId, string InstanceId, int VolumeGb, int RamMb) : IWithTenantId, ITroveMessage;
    public sealed record ReleaseInstance(string TenantId, string InstanceId) : IWithTenantId, ITroveMessage;
    /// <summary>Changes what a reserved instance holds (a resize); refused when the growth would go over a limit.</summary>
    public sealed record ResizeInstance(string TenantId, string InstanceId, int VolumeGb, int RamMb) : IWithTenantId, ITroveMessage;
    /// <summary>Reserves one backup; repeating it for the same backup reserves nothing more.</summary>
    public sealed record ReserveBackup(string TenantId, string BackupId) : IWithTenantId, ITroveMessage;
    /// <summary>Gives a backup's reservation back (deleted, or never taken); once per backup id.</summary>
    public sealed record ReleaseBackup(string TenantId, string BackupId) : IWithTenantId, ITroveMessage;
    public sealed record GetQuotas(string TenantId) : IWithTenantId, ITroveMessage;
    /// <summary>Admin: sets some of the tenant's limits; resources not named keep theirs.</summary>
    public sealed record SetQuotas(string TenantId, IReadOnlyDictionary<string, int> Limits) : IWithTenantId, ITroveMessage;
}

/// <summary>Every answer of the tenant entity: asked with <c>Ask&lt;TenantReply&gt;</c>.</summary>
public abstract record TenantReply : ITroveMessage;

public static class TenantReplies
{
    public sealed record Reserved : TenantReply
    {
        public static readonly Reserved Instance = new();
    }

    public sealed record Released : TenantReply
    {
        public static readonly Released Instance = new();
    }

    /// <summary>Upstream's QuotaExceeded: the resources that would go over.</summary>
    public sealed record QuotaExceeded(IReadOnlyList<string> Resources) : TenantReply
    {
        public string Message => $"Quota exceeded for resources: [{string.Join(", ", Resources.Select(r => $"'{r}'"))}].";
    }

    /// <summary>The instance's reservation was released before: an instance id reserves once (a late or repeated
    /// reserve after the release must not take the quota again).</summary>
    public sealed record AlreadyReleased(string InstanceId) : TenantReply;

    public sealed record Quotas(QuotaLimits Limits, QuotaUsage Usage) : TenantReply;
    public sealed record InvalidQuotas(string Message) : TenantReply;
}

public static class TenantEvents
{
    public interface ITenantEvent : ITroveMessage;
    public sealed record InstanceReserved(string InstanceId, int VolumeGb, int RamMb, DateTimeOffset At) : ITenantEvent;
    public sealed record InstanceReleased(string InstanceId, DateTimeOffset At) : ITenantEvent;
    public sealed record BackupReserved(string BackupId, DateTimeOffset At) : ITenantEvent;
    public sealed record BackupReleased(string BackupId, DateTimeOffset At) : ITenantEvent;
    public sealed record QuotasSet(IReadOnlyDictionary<string, int> Limits, DateTimeOffset At) : ITenantEvent;
}
