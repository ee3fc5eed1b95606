namespace Trove.Actors.WalArchive;

/// <summary>Grants an instance's guest the URL its engine archives its WAL through (<c>grant_wal_archive</c>), where the
/// archive is in object storage; none is needed with the local storage, whose directory is the guest's own.</summary>
public interface IWalArchiveGrants
{
    /// <summary>After how long a grant is renewed: well before it expires.</summary>
    TimeSpan RenewAfter { get; }

    Task GrantAsync(string tenantId, string instanceId, CancellationToken ct);
}
