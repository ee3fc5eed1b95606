using System.Text;
using Trove.Contracts;

namespace Trove.Actors.Compute.OpenStack;

/// <summary>What <see cref="NovaCompute"/> makes servers with (configuration <c>Trove:Compute:Nova</c>); the cloud account
/// is the node's own (<c>Trove:OpenStack</c>).</summary>
public sealed record NovaComputeSettings
{
    private bool PrintMembers(StringBuilder builder) => Secrets.PrintMembers(this, builder);

    /// <summary>The Glance image (id or name) of each datastore version: <c>Images:postgresql:15 = trove-postgresql-15</c>.</summary>
    public Dictionary<string, Dictionary<string, string>> Images { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The image of a datastore version <see cref="Images"/> does not name.</summary>
    public string DefaultImage { get; init; } = "";

    /// <summary>Neutron network ids the servers are plugged into; none given: <c>"networks": "none"</c>.</summary>
    public List<string> Networks { get; init; } = [];

    public string AvailabilityZone { get; init; } = "";
    public string KeyName { get; init; } = "";
    public List<string> SecurityGroups { get; init; } = [];

    /// <summary>The broker as the servers reach it (<c>amqp://host:5672/</c>; each guest gets its own user on it); empty:
    /// the node's own broker address, which suits servers on the node's network.</summary>
    public string GuestBrokerUri { get; init; } = "";

    /// <summary>Whether each server gets a Cinder volume of the instance's volume size (otherwise the flavor's disk).</summary>
    public bool Volumes { get; init; }
    public string VolumeType { get; init; } = "";

    /// <summary>How long a server may take to become ACTIVE (or a resize, a reboot, a delete to finish), and a volume
    /// to change state; checked every <see cref="PollInterval"/>, growing to four times that.</summary>
    public TimeSpan BuildTimeout { get; init; } = TimeSpan.FromMinutes(10);
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often the served flavors are read again from Nova.</summary>
    public TimeSpan FlavorRefresh { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The image a datastore version's servers boot from.</summary>
    public string ImageOf(string datastore, string version) =>
        Images.TryGetValue(datastore, out var versions) && versions.TryGetValue(version, out var image) ? image
        : DefaultImage is { Length: > 0 } ? DefaultImage
        : throw new InvalidOperationException($"No image is configured for {datastore} {version} (Trove:Compute:Nova:Images:{datastore}:{version}) and no DefaultImage");
}
