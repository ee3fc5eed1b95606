using Trove.Actors.Guests;
using Trove.Actors.WalArchive;
using Trove.Contracts.Guests;

namespace Trove.Actors.Backups;

/// <summary>Grants each guest a fresh prefix TempURL of <see cref="SwiftWalArchive"/>, cast as <c>grant_wal_archive</c>.</summary>
public sealed class SwiftWalArchiveGrants(SwiftWalArchive archive, IGuestRpc guests, TimeSpan lifetime) : IWalArchiveGrants
{
    public TimeSpan RenewAfter => lifetime / 2;

    public async Task GrantAsync(string tenantId, string instanceId, CancellationToken ct) =>
        await guests.CastAsync(instanceId, RpcMessage.Create(GuestMethods.GrantWalArchive, await archive.GrantAsync(tenantId, instanceId, ct)), ct);
}
