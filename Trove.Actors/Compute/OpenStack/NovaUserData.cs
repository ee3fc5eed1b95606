using System.Text;
using Trove.Contracts;
using Trove.Actors.Guests;
using Trove.Contracts.Datastores;
using Trove.Contracts.Guests;
using Trove.Actors.WalArchive;

namespace Trove.Actors.Compute.OpenStack;

/// <summary>What a cloud server's guest is told through its user data: the guest info of an image's agent
/// (<see cref="GuestImage"/>), with the guest's own broker user, in the cloud-init document the agent's image reads. Backups of
/// cloud servers are in object storage, so a server that archives its WAL does so through the URL its instance grants it.</summary>
public sealed record NovaUserData(string BrokerUri, string Exchange, string ConductorQueue, double HeartbeatIntervalSeconds)
{
    public WalArchiveSettings WalArchive { get; init; } = new();

    private bool PrintMembers(StringBuilder builder) => Secrets.PrintMembers(this, builder);

    public GuestInfo InfoOf(ServerSpec spec) => new(
        spec.InstanceId, spec.Datastore, spec.DatastoreVersion, DatastoreProfiles.Of(spec.Datastore).Port, GuestImage.ServerDirectory,
        (spec.Broker ?? throw new ArgumentException($"server {spec.InstanceId} has no broker user for its guest")).UriOn(BrokerUri),
        Exchange, ConductorQueue, HeartbeatIntervalSeconds, BackupDirectory: "", spec.VolumeSize, spec.RamMb, GuestImage.EveryAddress,
        WalArchiveGranted: WalArchive.Archives(spec.Datastore, spec.DatastoreVersion), Pooled: spec.Pooled,
        StartsEngineAtOnce: spec.StartsEngineAtOnce);

    public string Render(ServerSpec spec) => GuestUserData.Render(InfoOf(spec));
}
