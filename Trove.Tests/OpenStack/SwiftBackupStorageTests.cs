using System.Net;
using System.Security.Cryptography;
using Trove.Actors.Backups;
using Trove.Actors.Compute.OpenStack;
using Trove.Contracts.Guests;

namespace Trove.Tests.OpenStack;

/// <summary>SwiftBackupStorage against the sandbox's real Swift, through the TempURLs a guest would get (no token).</summary>
[Collection(SwiftCollection.Name)]
public sealed class SwiftBackupStorageTests(SwiftSandbox sandbox) : IAsyncLifetime
{
    private static readonly HttpClient Guest = new();
    private readonly SwiftBackupStorage _storage = new(sandbox.Session, new SwiftBackupSettings { ContainerPrefix = "test_backups_" });
    private readonly List<string> _tenants = [];
    private readonly CancellationToken _ct = CancellationToken.None;

    /// <summary>A tenant of this test alone: runs sharing the sandbox never see each other's containers.</summary>
    private string NewTenant()
    {
        var tenant = Guid.NewGuid().ToString("N");
        _tenants.Add(tenant);
        return tenant;
    }

    private static BackupPlace PlaceOf(string tenant) => new(Guid.NewGuid().ToString(), "instance-1", tenant);

    private static async Task<HttpResponseMessage> PutAsync(string uri, byte[] body) =>
        await Guest.PutAsync(uri, new ByteArrayContent(body));

    private static ReportedBackup ReportOf(byte[] body) =>
        new(body.Length, Convert.ToHexStringLower(SHA256.HashData(body)), Convert.ToHexStringLower(MD5.HashData(body)));

    [Fact]
    public async Task A_guest_writes_its_backup_through_its_TempURL_the_seal_keeps_its_ETag_a_restore_reads_it_and_delete_removes_it()
    {
        var place = PlaceOf(NewTenant());
        var body = RandomNumberGenerator.GetBytes(100_000);
        var uri = await _storage.ReserveAsync(place, _ct);
        Assert.NotNull(uri);
        Assert.Contains("temp_url_sig=", uri);
        using (var put = await PutAsync(uri, body))
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);

        var sealedAt = await _storage.SealAsync(place, ReportOf(body), _ct);
        Assert.Equal(ReportOf(body).Etag, sealedAt.Etag); // Swift's ETag is the object's MD5
        var objectStore = await sandbox.Session.EndpointAsync(SwiftBackupStorage.ServiceType, _ct);
        Assert.Equal(KeystoneSession.Under(objectStore, $"test_backups_{place.TenantId}/{place.BackupId}.tar.gz").AbsoluteUri, sealedAt.Location);
        Assert.Equal([$"{place.BackupId}.tar.gz"], await ListAsync(place.TenantId)); // the partial object is gone
        Assert.Equal(sealedAt, await _storage.SealAsync(place, ReportOf(body), _ct)); // a repeated report seals nothing twice

        // the guest's URL reads nothing, and cannot write the sealed backup
        using (var read = await Guest.GetAsync(uri))
            Assert.Equal(HttpStatusCode.Unauthorized, read.StatusCode);
        using (var overwrite = await PutAsync(uri.Replace(".tar.gz.part?", ".tar.gz?"), [1, 2, 3]))
            Assert.Equal(HttpStatusCode.Unauthorized, overwrite.StatusCode);

        var readable = await _storage.ReadableAsync(new BackupInfo(place.BackupId, sealedAt.Location, ReportOf(body).Checksum), _ct);
        Assert.Equal(body, await Guest.GetByteArrayAsync(readable.AccessUri));

        await _storage.DeleteAsync(sealedAt.Location, _ct);
        Assert.Empty(await ListAsync(place.TenantId));
        await _storage.DeleteAsync(sealedAt.Location, _ct); // gone already: nothing to do
        using (var gone = await Guest.GetAsync(readable.AccessUri))
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task A_TempURL_for_one_backup_writes_no_other_object()
    {
        var tenant = NewTenant();
        var mine = PlaceOf(tenant);
        var other = PlaceOf(tenant);
        var uri = (await _storage.ReserveAsync(mine, _ct))!;
        await _storage.ReserveAsync(other, _ct);

        using (var elsewhere = await PutAsync(uri.Replace(mine.BackupId, other.BackupId), [1, 2, 3]))
            Assert.Equal(HttpStatusCode.Unauthorized, elsewhere.StatusCode);
        using (var anotherName = await PutAsync(uri.Replace(".tar.gz.part?", ".tar.gz.other?"), [1, 2, 3]))
            Assert.Equal(HttpStatusCode.Unauthorized, anotherName.StatusCode);
        using (var delete = await Guest.DeleteAsync(uri))
            Assert.Equal(HttpStatusCode.Unauthorized, delete.StatusCode); // signed for PUT only
        Assert.Empty(await ListAsync(tenant));
    }

    [Fact]
    public async Task A_seal_refuses_an_object_that_is_not_what_the_guest_reported_and_one_never_written()
    {
        var place = PlaceOf(NewTenant());
        var body = RandomNumberGenerator.GetBytes(1000);
        await Assert.ThrowsAsync<FileNotFoundException>(() => _storage.SealAsync(place, ReportOf(body), _ct));

        using (await PutAsync((await _storage.ReserveAsync(place, _ct))!, body)) { }
        var shorter = await Assert.ThrowsAsync<InvalidDataException>(() => _storage.SealAsync(place, ReportOf(body[..999]) with { Size = 999 }, _ct));
        Assert.Contains("has 1000 bytes in object storage; its guest reported 999", shorter.Message);
        var otherBytes = await Assert.ThrowsAsync<InvalidDataException>(() => _storage.SealAsync(place, ReportOf(body) with { Etag = new string('0', 32) }, _ct));
        Assert.Contains("ETag", otherBytes.Message);
        Assert.Equal([$"{place.BackupId}.tar.gz.part"], await ListAsync(place.TenantId)); // nothing was sealed
    }

    [Fact]
    public async Task Each_tenants_backups_are_in_its_own_container_and_a_location_elsewhere_is_never_deleted()
    {
        var (first, second) = (NewTenant(), NewTenant());
        var backups = new[] { PlaceOf(first), PlaceOf(second), PlaceOf(first) };
        foreach (var place in backups)
        {
            using (await PutAsync((await _storage.ReserveAsync(place, _ct))!, [42])) { }
            await _storage.SealAsync(place, ReportOf([42]), _ct);
        }
        Assert.Equal(backups.Where(b => b.TenantId == first).Select(b => $"{b.BackupId}.tar.gz").Order(), await ListAsync(first));
        Assert.Equal([$"{backups[1].BackupId}.tar.gz"], await ListAsync(second));

        var objectStore = await sandbox.Session.EndpointAsync(SwiftBackupStorage.ServiceType, _ct);
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() =>
            _storage.DeleteAsync(KeystoneSession.Under(objectStore, $"elsewhere/{backups[0].BackupId}.tar.gz").AbsoluteUri, _ct));
        await Assert.ThrowsAsync<ArgumentException>(() => _storage.ReserveAsync(new BackupPlace(Guid.NewGuid().ToString(), "i", "a/b"), _ct));
    }

    private Task<IReadOnlyList<string>> ListAsync(string tenant) => sandbox.ListAsync(_storage.ContainerOf(tenant));

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Each test's containers go with it.</summary>
    public async Task DisposeAsync()
    {
        foreach (var tenant in _tenants)
            await sandbox.RemoveContainerAsync(_storage.ContainerOf(tenant));
    }
}
