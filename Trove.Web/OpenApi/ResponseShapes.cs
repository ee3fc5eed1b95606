using System.Text.Json.Serialization;

namespace Trove.Web.OpenApi;

// The upstream response bodies the views build as JSON (Trove.Web/Views), spelled out as types so that the OpenAPI
// document carries their schemas (.Produces<T>() on the routes). OpenApiTests calls those routes and checks each answer
// against its schema both ways: a field the view adds, drops or retypes fails it.

public sealed record LinkShape
{
    public required string Href { get; init; }
    public required string Rel { get; init; }
}

public sealed record VersionShape
{
    public required string Id { get; init; }
    public required string Status { get; init; }
    public required string Updated { get; init; }
    public required IReadOnlyList<LinkShape> Links { get; init; }
}

public sealed record VersionListShape
{
    public required IReadOnlyList<VersionShape> Versions { get; init; }
}

public sealed record VersionDocumentShape
{
    public required VersionShape Version { get; init; }
}

public sealed record FlavorShape
{
    public required string Id { get; init; }
    [JsonPropertyName("str_id")] public required string StrId { get; init; }
    public required string Name { get; init; }
    public required int Ram { get; init; }
    public required int Vcpus { get; init; }
    public required int Disk { get; init; }
    public required int Ephemeral { get; init; }
    public required IReadOnlyList<LinkShape> Links { get; init; }
}

public sealed record FlavorListShape
{
    public required IReadOnlyList<FlavorShape> Flavors { get; init; }
}

public sealed record FlavorDocumentShape
{
    public required FlavorShape Flavor { get; init; }
}

public sealed record DatastoreVersionSummaryShape
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required int Active { get; init; }
    public required IReadOnlyList<LinkShape> Links { get; init; }
}

public sealed record DatastoreShape
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required IReadOnlyList<LinkShape> Links { get; init; }
    [JsonPropertyName("default_version")] public string? DefaultVersion { get; init; }
    public required IReadOnlyList<DatastoreVersionSummaryShape> Versions { get; init; }
}

public sealed record DatastoreListShape
{
    public required IReadOnlyList<DatastoreShape> Datastores { get; init; }
}

public sealed record IdLinksShape
{
    public required string Id { get; init; }
    public required IReadOnlyList<LinkShape> Links { get; init; }
}

public sealed record InstanceDatastoreShape
{
    public required string Type { get; init; }
    public required string Version { get; init; }
    /// <summary>Detail view only.</summary>
    [JsonPropertyName("version_number")] public string? VersionNumber { get; init; }
}

public sealed record AccessShape
{
    [JsonPropertyName("is_public")] public required bool IsPublic { get; init; }
    [JsonPropertyName("allowed_cidrs")] public IReadOnlyList<string>? AllowedCidrs { get; init; }
}

public sealed record VolumeShape
{
    public required int Size { get; init; }
    /// <summary>GB in use, as the guest last reported; detail view only.</summary>
    public double? Used { get; init; }
    /// <summary>The operator's show only (<see cref="MgmtInstanceShape"/>), as the three below.</summary>
    public string? Id { get; init; }
    public string? Status { get; init; }
    public int? Total { get; init; }
}

public sealed record AddressShape
{
    public required string Address { get; init; }
    public required string Type { get; init; }
    public required int Port { get; init; }
}

public sealed record FaultShape
{
    public required string Message { get; init; }
    public required string Created { get; init; }
    public required string Details { get; init; }
}

public sealed record ConfigurationRefShape
{
    public required string Id { get; init; }
    public string? Name { get; init; }
    public required IReadOnlyList<LinkShape> Links { get; init; }
}

/// <summary>An instance as lists show it (<c>InstanceView.Summary</c>) and, with the detail fields, as show and create do.</summary>
public record InstanceShape
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Status { get; init; }
    [JsonPropertyName("operating_status")] public required string OperatingStatus { get; init; }
    public required IReadOnlyList<LinkShape> Links { get; init; }
    public required IdLinksShape Flavor { get; init; }
    public required InstanceDatastoreShape Datastore { get; init; }
    public required string Region { get; init; }
    public required AccessShape Access { get; init; }
    public required VolumeShape Volume { get; init; }
    /// <summary>Once the server has an address.</summary>
    public IReadOnlyList<string>? Ip { get; init; }
    public IReadOnlyList<AddressShape>? Addresses { get; init; }
    public string? Created { get; init; }
    public string? Updated { get; init; }
    [JsonPropertyName("service_status_updated")] public string? ServiceStatusUpdated { get; init; }
    public FaultShape? Fault { get; init; }
    public ConfigurationRefShape? Configuration { get; init; }
    /// <summary>A replica's source.</summary>
    [JsonPropertyName("replica_of")] public IdLinksShape? ReplicaOf { get; init; }
    /// <summary>A source's replicas.</summary>
    public IReadOnlyList<IdLinksShape>? Replicas { get; init; }
    /// <summary>A replica's seconds behind its source, as its last heartbeat said; show only.</summary>
    [JsonPropertyName("replication_lag")] public double? ReplicationLag { get; init; }
}

public sealed record InstanceListShape
{
    public required IReadOnlyList<InstanceShape> Instances { get; init; }
    /// <summary>The next page, when this one is full.</summary>
    public IReadOnlyList<LinkShape>? Links { get; init; }
}

public sealed record InstanceDocumentShape
{
    public required InstanceShape Instance { get; init; }
}
