using System.Text.Json.Serialization;

namespace Trove.Web.OpenApi;

// A tenant's limits and quotas, and the operator's view of instances (Trove.Web/Views/MgmtInstanceView.cs).

/// <summary>The absolute limits (verb ABSOLUTE, the max_ fields) or one verb's rate limit (the others).</summary>
/// <remarks>A class, not a record: a schema only, its ToString must not print a rate limit's uri if one is ever made.</remarks>
public sealed class LimitShape
{
    public required string Verb { get; init; }
    [JsonPropertyName("max_instances")] public int? MaxInstances { get; init; }
    [JsonPropertyName("max_ram")] public int? MaxRam { get; init; }
    [JsonPropertyName("max_volumes")] public int? MaxVolumes { get; init; }
    [JsonPropertyName("max_backups")] public int? MaxBackups { get; init; }
    public string? Uri { get; init; }
    public string? Regex { get; init; }
    public int? Value { get; init; }
    public string? Unit { get; init; }
    public int? Remaining { get; init; }
    public string? NextAvailable { get; init; }
}

public sealed record LimitListShape
{
    public required IReadOnlyList<LimitShape> Limits { get; init; }
}

public sealed record QuotaShape
{
    public required string Resource { get; init; }
    [JsonPropertyName("in_use")] public required int InUse { get; init; }
    public required int Reserved { get; init; }
    public required int Limit { get; init; }
}

public sealed record QuotaListShape
{
    public required IReadOnlyList<QuotaShape> Quotas { get; init; }
}

/// <summary>The limits set, by resource (-1 for unlimited).</summary>
public sealed record QuotaLimitsShape
{
    public required IReadOnlyDictionary<string, int> Quotas { get; init; }
}

public sealed record MgmtServerShape
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Status { get; init; }
    [JsonPropertyName("tenant_id")] public required string TenantId { get; init; }
    /// <summary>Show only: the node the instance's entity runs on.</summary>
    public string? Host { get; init; }
    /// <summary>Show only.</summary>
    public IReadOnlyList<AddressShape>? Addresses { get; init; }
}

public sealed record GuestStatusShape
{
    [JsonPropertyName("state_description")] public required string StateDescription { get; init; }
}

/// <summary>An instance as an operator sees it: the tenant's detail view plus the server, the owner, deletion and the task;
/// show adds the guest's status and the volume's id, status and total.</summary>
public sealed record MgmtInstanceShape : InstanceShape
{
    public required MgmtServerShape? Server { get; init; }
    [JsonPropertyName("server_id")] public required string? ServerId { get; init; }
    [JsonPropertyName("volume_id")] public required string? VolumeId { get; init; }
    [JsonPropertyName("service_status")] public required string ServiceStatus { get; init; }
    [JsonPropertyName("tenant_id")] public required string TenantId { get; init; }
    public required bool Deleted { get; init; }
    [JsonPropertyName("deleted_at")] public required string? DeletedAt { get; init; }
    [JsonPropertyName("task_description")] public required string TaskDescription { get; init; }
    /// <summary>Show only.</summary>
    [JsonPropertyName("guest_status")] public GuestStatusShape? GuestStatus { get; init; }
}

public sealed record MgmtInstanceListShape
{
    public required IReadOnlyList<MgmtInstanceShape> Instances { get; init; }
    /// <summary>The next page, when this one is full.</summary>
    public IReadOnlyList<LinkShape>? Links { get; init; }
}

public sealed record MgmtInstanceDocumentShape
{
    public required MgmtInstanceShape Instance { get; init; }
}
