using System.Text.Json.Serialization;

namespace Trove.Web.OpenApi;

// The catalog's answers besides the lists of ResponseShapes.cs: one datastore, its versions, their configuration
// parameters, and the operator's view of the versions (/mgmt/datastore-versions).

public sealed record DatastoreDocumentShape
{
    public required DatastoreShape Datastore { get; init; }
}

public sealed record DatastoreVersionShape
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Version { get; init; }
    public required string Datastore { get; init; }
    public required int Active { get; init; }
    public required IReadOnlyList<LinkShape> Links { get; init; }
}

public sealed record DatastoreVersionListShape
{
    public required IReadOnlyList<DatastoreVersionShape> Versions { get; init; }
}

public sealed record DatastoreVersionDocumentShape
{
    public required DatastoreVersionShape Version { get; init; }
}

/// <summary>A configuration parameter as a tenant sees it.</summary>
public sealed record ParameterShape
{
    public required string Name { get; init; }
    [JsonPropertyName("datastore_version_id")] public required string DatastoreVersionId { get; init; }
    [JsonPropertyName("restart_required")] public required bool RestartRequired { get; init; }
    public required string Type { get; init; }
    public required double? Min { get; init; }
    public required double? Max { get; init; }
}

public sealed record ParameterListShape
{
    [JsonPropertyName("configuration-parameters")] public required IReadOnlyList<ParameterShape> ConfigurationParameters { get; init; }
}

/// <summary>A configuration parameter as an operator sees it (upstream's MgmtConfigurationParameterView).</summary>
public sealed record MgmtParameterShape
{
    public required string Name { get; init; }
    [JsonPropertyName("datastore_version_id")] public required string DatastoreVersionId { get; init; }
    [JsonPropertyName("restart_required")] public required bool RestartRequired { get; init; }
    public required string Type { get; init; }
    [JsonPropertyName("min_size")] public double? MinSize { get; init; }
    [JsonPropertyName("max_size")] public double? MaxSize { get; init; }
}

public sealed record MgmtParameterListShape
{
    [JsonPropertyName("configuration-parameters")] public required IReadOnlyList<MgmtParameterShape> ConfigurationParameters { get; init; }
}

public sealed record MgmtDatastoreVersionShape
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Version { get; init; }
    [JsonPropertyName("datastore_id")] public required string DatastoreId { get; init; }
    [JsonPropertyName("datastore_name")] public required string DatastoreName { get; init; }
    [JsonPropertyName("datastore_manager")] public required string DatastoreManager { get; init; }
    public required bool Active { get; init; }
    public required bool Default { get; init; }
    public required string Image { get; init; }
    public required string Packages { get; init; }
}

public sealed record MgmtDatastoreVersionListShape
{
    public required IReadOnlyList<MgmtDatastoreVersionShape> Versions { get; init; }
}

public sealed record MgmtDatastoreVersionDocumentShape
{
    public required MgmtDatastoreVersionShape Version { get; init; }
}
