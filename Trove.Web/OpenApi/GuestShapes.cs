using System.Text.Json.Serialization;

namespace Trove.Web.OpenApi;

// What an instance's guest answers through the API: its databases, users and their access, root, its engine's
// configuration and its logs.

public sealed record NameShape
{
    public required string Name { get; init; }
}

public sealed record DatabaseListShape
{
    public required IReadOnlyList<NameShape> Databases { get; init; }
    /// <summary>The next page, when this one is full.</summary>
    public IReadOnlyList<LinkShape>? Links { get; init; }
}

public sealed record UserShape
{
    public required string Name { get; init; }
    public required string Host { get; init; }
    public required IReadOnlyList<NameShape> Databases { get; init; }
}

public sealed record UserListShape
{
    public required IReadOnlyList<UserShape> Users { get; init; }
    /// <summary>The next page, when this one is full.</summary>
    public IReadOnlyList<LinkShape>? Links { get; init; }
}

public sealed record UserDocumentShape
{
    public required UserShape User { get; init; }
}

/// <summary>A user's access: the databases it is granted.</summary>
public sealed record AccessListShape
{
    public required IReadOnlyList<NameShape> Databases { get; init; }
}

/// <remarks>A class, not a record: a schema only, its ToString must not print the root password it describes if one is ever made.</remarks>
public sealed class RootCredentialsShape
{
    public required string Name { get; init; }
    public required string Password { get; init; }
}

public sealed record RootEnabledShape
{
    public required RootCredentialsShape User { get; init; }
}

public sealed record RootStatusShape
{
    public required bool RootEnabled { get; init; }
}

public sealed record EngineConfigurationShape
{
    /// <summary>The engine's effective values, by parameter.</summary>
    public required IReadOnlyDictionary<string, string> Configuration { get; init; }
}

public sealed record InstanceConfigurationShape
{
    public required EngineConfigurationShape Instance { get; init; }
}

/// <summary>Upstream's GuestLogView.</summary>
public sealed record GuestLogShape
{
    public required string Name { get; init; }
    public required string Type { get; init; }
    public required string Status { get; init; }
    public required long Published { get; init; }
    public required long Pending { get; init; }
    public required string Container { get; init; }
    public required string Prefix { get; init; }
    public required string Metafile { get; init; }
}

public sealed record GuestLogListShape
{
    public required IReadOnlyList<GuestLogShape> Logs { get; init; }
}

public sealed record GuestLogDocumentShape
{
    public required GuestLogShape Log { get; init; }
}

/// <summary>A published log as the Swift API lists it.</summary>
public sealed record LogObjectShape
{
    public required string Name { get; init; }
    public required long Bytes { get; init; }
    [JsonPropertyName("last_modified")] public required string LastModified { get; init; }
    public required string Hash { get; init; }
    [JsonPropertyName("content_type")] public required string ContentType { get; init; }
}
