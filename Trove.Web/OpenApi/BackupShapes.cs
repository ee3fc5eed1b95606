using System.Text.Json;
using System.Text.Json.Serialization;

namespace Trove.Web.OpenApi;

// Backups (Trove.Web/Views/BackupView.cs), configuration groups, and the history of an instance or a backup.

public sealed record BackupDatastoreShape
{
    public required string Type { get; init; }
    public required string Version { get; init; }
    [JsonPropertyName("version_id")] public required string? VersionId { get; init; }
}

public sealed record BackupShape
{
    public required string Id { get; init; }
    public required string? Name { get; init; }
    public required string? Description { get; init; }
    public required string? LocationRef { get; init; }
    [JsonPropertyName("instance_id")] public required string InstanceId { get; init; }
    public required string Created { get; init; }
    public required string Updated { get; init; }
    /// <summary>GB, once the guest reported it.</summary>
    public required double? Size { get; init; }
    public required string Status { get; init; }
    [JsonPropertyName("parent_id")] public required string? ParentId { get; init; }
    [JsonPropertyName("project_id")] public required string ProjectId { get; init; }
    public required BackupDatastoreShape Datastore { get; init; }
    /// <summary>Why a FAILED backup failed.</summary>
    public required string? Fault { get; init; }
}

public sealed record BackupListShape
{
    public required IReadOnlyList<BackupShape> Backups { get; init; }
    /// <summary>The next page, when this one is full.</summary>
    public IReadOnlyList<LinkShape>? Links { get; init; }
}

public sealed record BackupDocumentShape
{
    public required BackupShape Backup { get; init; }
}

public sealed record ConfigurationShape
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string? Description { get; init; }
    /// <summary>The group's values, by parameter.</summary>
    public required IReadOnlyDictionary<string, JsonElement>? Values { get; init; }
    public required string Created { get; init; }
    public required string Updated { get; init; }
    [JsonPropertyName("datastore_name")] public required string DatastoreName { get; init; }
    [JsonPropertyName("datastore_version_name")] public required string DatastoreVersionName { get; init; }
    [JsonPropertyName("datastore_version_id")] public required string? DatastoreVersionId { get; init; }
    [JsonPropertyName("datastore_version_number")] public required string DatastoreVersionNumber { get; init; }
    [JsonPropertyName("instance_count")] public required int InstanceCount { get; init; }
}

public sealed record ConfigurationListShape
{
    public required IReadOnlyList<ConfigurationShape> Configurations { get; init; }
}

public sealed record ConfigurationDocumentShape
{
    public required ConfigurationShape Configuration { get; init; }
}

public sealed record IdNameShape
{
    public required string Id { get; init; }
    public required string Name { get; init; }
}

/// <summary>The instances a configuration group is attached to.</summary>
public sealed record AttachedInstancesShape
{
    public required IReadOnlyList<IdNameShape> Instances { get; init; }
}

/// <summary>One entry of a history (Trove.Web/Views/HistoryView.cs).</summary>
public sealed record HistoryEntryShape
{
    public required long Id { get; init; }
    public required string Type { get; init; }
    public required string Created { get; init; }
    public required string? Task { get; init; }
    public required string Status { get; init; }
    public required string? Fault { get; init; }
    public required string? User { get; init; }
}

public sealed record HistoryPageShape
{
    public required IReadOnlyList<HistoryEntryShape> Events { get; init; }
    /// <summary>The next page, when this one is full.</summary>
    public IReadOnlyList<LinkShape>? Links { get; init; }
}
