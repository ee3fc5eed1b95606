using System.Text;
using System.Text.Json.Nodes;
using Trove.Contracts;

namespace Trove.Actors.Compute.OpenStack;

/// <summary>One catalog endpoint of a service.</summary>
public sealed record CatalogEndpoint(string ServiceType, string Interface, string Region, Uri Url);

/// <summary>A project-scoped Keystone token with the catalog it came with.</summary>
internal sealed record KeystoneToken(string AuthToken, string ProjectId, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt,
    IReadOnlyList<CatalogEndpoint> Catalog)
{
    private bool PrintMembers(StringBuilder builder) => Secrets.PrintMembers(this, builder);

    /// <summary>Fresh until <paramref name="refreshBefore"/> before it expires, or half its lifetime for a short-lived one.</summary>
    public bool FreshAt(DateTimeOffset now, TimeSpan refreshBefore)
    {
        var margin = TimeSpan.FromTicks(Math.Min(refreshBefore.Ticks, (ExpiresAt - IssuedAt).Ticks / 2));
        return now < ExpiresAt - margin;
    }

    public Uri EndpointOf(string serviceType, string region, string @interface) =>
        Catalog.FirstOrDefault(e => e.ServiceType == serviceType && e.Interface == @interface && (region == "" || e.Region == region))?.Url
        ?? throw new InvalidOperationException(
            $"The cloud's catalog has no {@interface} endpoint of type {serviceType}{(region == "" ? "" : $" in region {region}")}; " +
            $"it lists: {string.Join(", ", Catalog.Select(e => $"{e.ServiceType} ({e.Interface}, {e.Region})").Distinct())}");

    /// <summary>The body of <c>POST /v3/auth/tokens</c>: <c>{"token": {"expires_at", "issued_at", "project", "catalog"}}</c>.</summary>
    public static KeystoneToken Parse(string value, JsonNode body)
    {
        var token = body["token"]!;
        var catalog = (token["catalog"]?.AsArray() ?? [])
            .SelectMany(service => service!["endpoints"]!.AsArray().Select(e => new CatalogEndpoint(
                (string)service["type"]!, (string)e!["interface"]!, (string?)e["region_id"] ?? (string?)e["region"] ?? "", new Uri((string)e["url"]!))))
            .ToList();
        return new KeystoneToken(value, (string?)token["project"]?["id"] ?? "",
            DateTimeOffset.Parse((string)token["issued_at"]!), DateTimeOffset.Parse((string)token["expires_at"]!), catalog);
    }
}
