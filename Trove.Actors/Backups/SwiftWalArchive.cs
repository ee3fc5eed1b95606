using System.Globalization;
using System.Text.Json.Nodes;
using Trove.Actors.Compute.OpenStack;
using Trove.Actors.WalArchive;
using Trove.Contracts.Guests;

namespace Trove.Actors.Backups;

/// <summary>
/// The WAL archive in Swift, next to the backups: each instance's segments are objects under <c>wal/{instance id}/</c> in
/// its tenant's backup container, under PostgreSQL's names. A guest holds no cloud credentials: it is granted a prefix
/// TempURL (Swift's <c>temp_url_prefix</c>) that writes only under its own instance's prefix, and a restore's guest one that
/// reads only under its source's. Retention lists and deletes with the node's own account.
/// </summary>
public sealed class SwiftWalArchive(KeystoneSession session, SwiftBackupStorage storage, SwiftBackupSettings settings) : IWalArchive
{
    public static string PrefixOf(string instanceId) => $"wal/{Guid.Parse(instanceId)}/";

    /// <summary>A URL for the instance's guest to PUT (and HEAD) its segments with, good for <see cref="SwiftBackupSettings.WalGrantTtl"/>;
    /// the container is made first, as an instance may archive before its first backup.</summary>
    public async Task<WalArchiveGrantArgs> GrantAsync(string tenantId, string instanceId, CancellationToken ct)
    {
        var container = storage.ContainerOf(tenantId);
        await storage.MakeContainerAsync(container, ct);
        var expires = DateTimeOffset.UtcNow.Add(settings.WalGrantTtl);
        return new WalArchiveGrantArgs(await storage.SignAsync(HttpMethod.Put, container, PrefixOf(instanceId), settings.WalGrantTtl, prefix: true, ct), expires);
    }

    public async Task<bool> HoldsAsync(string tenantId, string instanceId, CancellationToken ct) =>
        (await ListAsync(tenantId, instanceId, limit: 1, ct)).Count > 0;

    public async Task<string?> ReadableAsync(string tenantId, string instanceId, CancellationToken ct) =>
        await storage.SignAsync(HttpMethod.Get, storage.ContainerOf(tenantId), PrefixOf(instanceId), settings.TempUrlTtl, prefix: true, ct);

    public async Task<IReadOnlyList<string>> PruneAsync(string tenantId, string instanceId, DateTimeOffset keepFrom, CancellationToken ct)
    {
        var container = storage.ContainerOf(tenantId);
        var removed = new List<string>();
        foreach (var segment in (await ListAsync(tenantId, instanceId, limit: null, ct)).Where(s => s.Archived < keepFrom))
        {
            await storage.DeleteObjectAsync(container, segment.Name, ct);
            removed.Add(segment.Name[PrefixOf(instanceId).Length..]);
        }
        return removed;
    }

    private sealed record Segment(string Name, DateTimeOffset Archived);

    /// <summary>The instance's segments, in name order, page by page (Swift answers at most 10,000 a request).</summary>
    private async Task<IReadOnlyList<Segment>> ListAsync(string tenantId, string instanceId, int? limit, CancellationToken ct)
    {
        var container = storage.ContainerOf(tenantId);
        var prefix = PrefixOf(instanceId);
        var segments = new List<Segment>();
        while (true)
        {
            var query = $"{container}?format=json&prefix={Uri.EscapeDataString(prefix)}" +
                        (segments.Count > 0 ? $"&marker={Uri.EscapeDataString(segments[^1].Name)}" : "") + (limit is { } l ? $"&limit={l}" : "");
            JsonArray page;
            try
            {
                using var response = await session.SendAsync(SwiftBackupStorage.ServiceType,
                    swift => new HttpRequestMessage(HttpMethod.Get, KeystoneSession.Under(swift, query)), ct);
                page = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct)) as JsonArray ?? [];
            }
            catch (CloudFault fault) when (fault.IsNotFound)
            {
                return segments; // no container: nothing archived
            }
            // Swift's last_modified is UTC without a zone
            segments.AddRange(page.Select(o => new Segment((string)o!["name"]!,
                DateTimeOffset.Parse((string)o["last_modified"]!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal))));
            if (page.Count == 0 || limit is not null)
                return segments;
        }
    }
}
