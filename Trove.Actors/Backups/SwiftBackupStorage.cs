using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Trove.Actors.Compute.OpenStack;
using Trove.Contracts.Guests;

namespace Trove.Actors.Backups;

/// <summary>
/// Backups in OpenStack Swift (the catalog's <c>object-store</c>), in the control plane's own account: one container per
/// tenant (<see cref="SwiftBackupSettings.ContainerPrefix"/> + tenant id), one object per backup. A guest holds no
/// cloud credentials: it gets a TempURL to PUT exactly its backup's partial object <c>{id}.tar.gz.part</c>; once it
/// reports the backup complete, the object's size and ETag are checked against the report and the object is copied,
/// inside Swift, to <c>{id}.tar.gz</c> (which no URL a guest holds can write) and the partial removed, as the local
/// storage renames its partial file. A restore's guest gets a TempURL to GET each object of the chain. TempURLs are
/// signed with the account's temp-url key, which the control plane sets once if the account has none.
/// </summary>
public sealed partial class SwiftBackupStorage(KeystoneSession session, SwiftBackupSettings settings) : IBackupStorage
{
    public const string ServiceType = "object-store";
    private const string PartialSuffix = ".part";
    private const string TempUrlKeyHeader = "X-Account-Meta-Temp-URL-Key";

    private readonly SemaphoreSlim _keyLock = new(1, 1);
    private string? _key;

    public async Task<string?> ReserveAsync(BackupPlace place, CancellationToken ct)
    {
        var container = ContainerOf(place.TenantId);
        await MakeContainerAsync(container, ct);
        return await SignAsync(HttpMethod.Put, container, PartialOf(place.BackupId), ct);
    }

    internal async Task MakeContainerAsync(string container, CancellationToken ct)
    {
        using (await session.SendAsync(ServiceType, swift => new HttpRequestMessage(HttpMethod.Put, KeystoneSession.Under(swift, container))
               { Content = new ByteArrayContent([]) }, ct)) { } // 201 made, 202 there already
    }

    public async Task<SealedBackup> SealAsync(BackupPlace place, ReportedBackup reported, CancellationToken ct)
    {
        var container = ContainerOf(place.TenantId);
        var name = BackupFileNames.NameOf(place.BackupId);
        var written = await HeadAsync(container, PartialOf(place.BackupId), ct);
        if (written is null)
            return await HeadAsync(container, name, ct) is { } kept // sealed already: the report came again
                ? new SealedBackup(await LocationOfAsync(container, name, ct), kept.Etag)
                : throw new FileNotFoundException($"backup {place.BackupId} has no object in container {container}");
        if (reported.Size is { } size && written.Length != size)
            throw new InvalidDataException($"backup {place.BackupId} has {written.Length} bytes in object storage; its guest reported {size}");
        if (reported.Etag is { } etag && !string.Equals(etag, written.Etag, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"backup {place.BackupId} has ETag {written.Etag} in object storage; its guest sent MD5 {etag}");
        using (await session.SendAsync(ServiceType, swift =>
               {
                   var copy = new HttpRequestMessage(HttpMethod.Put, KeystoneSession.Under(swift, $"{container}/{name}")) { Content = new ByteArrayContent([]) };
                   copy.Headers.Add("X-Copy-From", $"/{container}/{PartialOf(place.BackupId)}");
                   return copy;
               }, ct)) { }
        var sealedObject = await HeadAsync(container, name, ct);
        if (sealedObject?.Etag is not { } sealedEtag || !string.Equals(sealedEtag, written.Etag, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"backup {place.BackupId} was not copied whole in object storage (ETag {sealedObject?.Etag}, expected {written.Etag})");
        await DeleteObjectAsync(container, PartialOf(place.BackupId), ct);
        return new SealedBackup(await LocationOfAsync(container, name, ct), sealedEtag);
    }

    public async Task<BackupInfo> ReadableAsync(BackupInfo chain, CancellationToken ct)
    {
        var parent = chain.Parent is null ? null : await ReadableAsync(chain.Parent, ct);
        // a backup the local storage kept before Swift was chosen is copied by the compute driver, as before
        if (chain.Location is not { } location || !BackupFileNames.IsUrl(location))
            return chain with { Parent = parent };
        var (container, name) = ObjectOf(location);
        return chain with { Parent = parent, AccessUri = await SignAsync(HttpMethod.Get, container, name, ct) };
    }

    public async Task DeleteAsync(string location, CancellationToken ct)
    {
        var (container, name) = ObjectOf(location);
        await DeleteObjectAsync(container, name, ct);
        await DeleteObjectAsync(container, name + PartialSuffix, ct); // what a guest may have written again since
    }

    /// <summary>The container of a tenant's backups: the tenant id goes into a URL path and a TempURL's signed path as it is.</summary>
    public string ContainerOf(string tenantId) => SafeName().IsMatch(tenantId)
        ? settings.ContainerPrefix + tenantId
        : throw new ArgumentException($"tenant id '{tenantId}' cannot name a Swift container");

    private static string PartialOf(string backupId) => BackupFileNames.NameOf(backupId) + PartialSuffix;

    /// <summary>Only a backup object of this storage's containers is ever read or deleted, whatever a location says.</summary>
    private (string Container, string Name) ObjectOf(string location)
    {
        var segments = new Uri(location).AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments is [.., var container, var name]
               && container.StartsWith(settings.ContainerPrefix, StringComparison.Ordinal) && SafeName().IsMatch(container)
               && name.EndsWith(".tar.gz", StringComparison.Ordinal) && Guid.TryParse(name[..^".tar.gz".Length], out var id)
               && name == BackupFileNames.NameOf(id.ToString())
            ? (container, name)
            : throw new UnauthorizedAccessException($"{location} is not a backup in the backup storage");
    }

    private async Task<string> LocationOfAsync(string container, string name, CancellationToken ct) =>
        KeystoneSession.Under(await session.EndpointAsync(ServiceType, ct), $"{container}/{name}").AbsoluteUri;

    private sealed record StoredObject(long Length, string? Etag);

    private async Task<StoredObject?> HeadAsync(string container, string name, CancellationToken ct)
    {
        try
        {
            using var response = await session.SendAsync(ServiceType,
                swift => new HttpRequestMessage(HttpMethod.Head, KeystoneSession.Under(swift, $"{container}/{name}")), ct);
            return new StoredObject(response.Content.Headers.ContentLength ?? -1, HeaderOf(response.Headers, "ETag")?.Trim('"'));
        }
        catch (CloudFault fault) when (fault.IsNotFound)
        {
            return null;
        }
    }

    internal async Task DeleteObjectAsync(string container, string name, CancellationToken ct)
    {
        try
        {
            using (await session.SendAsync(ServiceType,
                       swift => new HttpRequestMessage(HttpMethod.Delete, KeystoneSession.Under(swift, $"{container}/{name}")), ct)) { }
        }
        catch (CloudFault fault) when (fault.IsNotFound) { } // removed already
    }

    private Task<string> SignAsync(HttpMethod method, string container, string name, CancellationToken ct) =>
        SignAsync(method, container, name, settings.TempUrlTtl, prefix: false, ct);

    /// <summary>A TempURL (Swift's tempurl middleware, HMAC-SHA256) for one method on one object, or, with
    /// <paramref name="prefix"/>, on every object whose name starts with <paramref name="name"/> (the URL then names the
    /// prefix: an object's is the URL's path plus the rest of its name, with the same query); valid for <paramref name="ttl"/>.</summary>
    internal async Task<string> SignAsync(HttpMethod method, string container, string name, TimeSpan ttl, bool prefix, CancellationToken ct)
    {
        var key = await KeyAsync(ct);
        var url = KeystoneSession.Under(await session.EndpointAsync(ServiceType, ct), $"{container}/{name}");
        var expires = DateTimeOffset.UtcNow.Add(ttl).ToUnixTimeSeconds();
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key),
            Encoding.UTF8.GetBytes($"{method.Method}\n{expires}\n{(prefix ? "prefix:" : "")}{url.AbsolutePath}")));
        return $"{url.AbsoluteUri}?temp_url_sig={signature}&temp_url_expires={expires}{(prefix ? $"&temp_url_prefix={name}" : "")}";
    }

    /// <summary>The account's temp-url key; one is set if the account has none. Nodes that set one at the same time
    /// each read the account's back, so that they all sign with the one Swift kept.</summary>
    private async Task<string> KeyAsync(CancellationToken ct)
    {
        if (_key is { } known)
            return known;
        await _keyLock.WaitAsync(ct);
        try
        {
            if (_key is { } other)
                return other;
            if (await AccountKeyAsync(ct) is not { } key)
            {
                using (await session.SendAsync(ServiceType, swift =>
                       {
                           var post = new HttpRequestMessage(HttpMethod.Post, swift) { Content = new ByteArrayContent([]) };
                           post.Headers.Add(TempUrlKeyHeader, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));
                           return post;
                       }, ct)) { }
                key = await AccountKeyAsync(ct) ?? throw new InvalidOperationException("object storage kept no temp-url key on the account");
            }
            return _key = key;
        }
        finally
        {
            _keyLock.Release();
        }
    }

    private async Task<string?> AccountKeyAsync(CancellationToken ct)
    {
        using var response = await session.SendAsync(ServiceType, swift => new HttpRequestMessage(HttpMethod.Head, swift), ct);
        return HeaderOf(response.Headers, TempUrlKeyHeader);
    }

    private static string? HeaderOf(HttpResponseHeaders headers, string name) =>
        headers.NonValidated.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    [GeneratedRegex("^[A-Za-z0-9_.-]+$")]
    private static partial Regex SafeName();
}
