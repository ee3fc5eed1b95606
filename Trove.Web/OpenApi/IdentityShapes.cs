using System.Text.Json.Serialization;

namespace Trove.Web.OpenApi;

// The built-in identity service's answers (Trove.Web/Auth/KeystoneEndpoints.cs), the dashboard's config, and the
// extensions: what a client reads before it calls the API.

public sealed record MediaTypeShape
{
    public required string Base { get; init; }
    public required string Type { get; init; }
}

public sealed record IdentityVersionShape
{
    public required string Id { get; init; }
    public required string Status { get; init; }
    public required string Updated { get; init; }
    public required IReadOnlyList<LinkShape> Links { get; init; }
    [JsonPropertyName("media-types")] public required IReadOnlyList<MediaTypeShape> MediaTypes { get; init; }
}

public sealed record IdentityVersionDocumentShape
{
    public required IdentityVersionShape Version { get; init; }
}

public sealed record DomainShape
{
    public required string Id { get; init; }
    public required string Name { get; init; }
}

/// <remarks>A class, not a record: a schema only, its ToString must not print its password_expires_at if one is ever made.</remarks>
public sealed class TokenUserShape
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required DomainShape Domain { get; init; }
    [JsonPropertyName("password_expires_at")] public required string? PasswordExpiresAt { get; init; }
}

public sealed record TokenProjectShape
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required DomainShape Domain { get; init; }
}

public sealed record CatalogEndpointShape
{
    public required string Id { get; init; }
    public required string Interface { get; init; }
    public required string Region { get; init; }
    [JsonPropertyName("region_id")] public required string RegionId { get; init; }
    public required string Url { get; init; }
}

public sealed record CatalogServiceShape
{
    public required string Type { get; init; }
    public required string Name { get; init; }
    public required string Id { get; init; }
    public required IReadOnlyList<CatalogEndpointShape> Endpoints { get; init; }
}

/// <summary>A token's caller and service catalog; the token itself is the <c>X-Subject-Token</c> header.</summary>
public sealed record TokenShape
{
    public required IReadOnlyList<string> Methods { get; init; }
    public required TokenUserShape User { get; init; }
    public required TokenProjectShape Project { get; init; }
    public required IReadOnlyList<DomainShape> Roles { get; init; }
    public required IReadOnlyList<CatalogServiceShape> Catalog { get; init; }
    [JsonPropertyName("expires_at")] public required string ExpiresAt { get; init; }
    [JsonPropertyName("issued_at")] public required string IssuedAt { get; init; }
    [JsonPropertyName("audit_ids")] public required IReadOnlyList<string> AuditIds { get; init; }
    [JsonPropertyName("is_domain")] public required bool IsDomain { get; init; }
}

public sealed record TokenDocumentShape
{
    public required TokenShape Token { get; init; }
}

public sealed record ProjectShape
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    [JsonPropertyName("domain_id")] public required string DomainId { get; init; }
    public required bool Enabled { get; init; }
    [JsonPropertyName("is_domain")] public required bool IsDomain { get; init; }
}

public sealed record ProjectListShape
{
    public required IReadOnlyList<ProjectShape> Projects { get; init; }
}

public sealed record ProjectDocumentShape
{
    public required ProjectShape Project { get; init; }
}

/// <summary>Where the dashboard logs in.</summary>
public sealed record DashboardConfigShape
{
    public required string Identity { get; init; }
    public required string Mode { get; init; }
}

public sealed record ExtensionShape
{
    public required string Name { get; init; }
    public required string Alias { get; init; }
    public required string Description { get; init; }
    public required string Namespace { get; init; }
    public required string Updated { get; init; }
    public required IReadOnlyList<LinkShape> Links { get; init; }
}

public sealed record ExtensionListShape
{
    public required IReadOnlyList<ExtensionShape> Extensions { get; init; }
}

public sealed record ExtensionDocumentShape
{
    public required ExtensionShape Extension { get; init; }
}
