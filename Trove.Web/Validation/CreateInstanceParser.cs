using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Trove.Actors.Catalog;
using Trove.Actors.Instances;
using Trove.Web.Requests;

namespace Trove.Web.Validation;

/// <summary>Turns the body of <c>POST /instances</c> (a <see cref="CreateInstanceBody"/>) into an <see cref="InstanceRequest"/>
/// checked against the catalog, or throws a <see cref="RequestError"/>.</summary>
public static partial class CreateInstanceParser
{
    /// <summary>The id of the backup to restore from (<c>restorePoint.backupRef</c>), or null.</summary>
    public static string? RestorePoint(CreateInstanceBody body) => body.Instance!.RestorePoint switch
    {
        null => null,
        { BackupRef: { } backupRef } => backupRef,
        _ => throw RequestError.Invalid("'backupRef' is required."),
    };

    /// <summary>The time a restore recovers to (<c>restorePoint.restore_time</c>, ISO 8601), or null; one that does not
    /// parse or is after <paramref name="now"/> is refused. The backup's entity refuses one before the backup completed.</summary>
    public static DateTimeOffset? RestoreTime(CreateInstanceBody body, DateTimeOffset now)
    {
        if (body.Instance!.RestorePoint?.RestoreTime is not { } text)
            return null;
        if (!IsoTime().IsMatch(text)
            || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
            throw RequestError.Invalid($"'restore_time' {text} is not an ISO 8601 time such as 2026-01-31T12:00:00Z.");
        return time > now ? throw RequestError.Invalid($"'restore_time' {text} is in the future.") : time;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})?$")]
    private static partial Regex IsoTime();

    public static InstanceRequest Parse(CreateInstanceBody body, string tenantId, CatalogService catalog)
    {
        var instance = body.Instance!;

        var name = DisplayName.Check(instance.Name);

        var configurationId = ParseConfiguration(instance.Configuration);
        if (ParseReplicaOf(instance) is { } replicaOf)
            return ParseReplica(instance, tenantId, name, replicaOf, configurationId);
        if (ReplicaCount(body) is > 1 and var count)
            throw new RequestError(400, $"Replica count only valid when creating replicas. Cannot create {count} instances.");

        var flavorRef = instance.FlavorRef?.Text ?? throw RequestError.Invalid("'flavorRef' is required.");
        var flavor = catalog.FindFlavor(flavorRef) ?? throw new RequestError(404, $"Flavor '{flavorRef}' cannot be found.");

        var (datastore, version) = ParseDatastore(instance.Datastore, catalog);
        var volumeSize = ParseVolumeSize(instance.Volume, catalog.Settings.MaxVolumeSize);

        var databases = DatabaseBody.Specs(instance.Databases);
        var users = UserBody.Specs(instance.Users, databases.Select(d => d.Name).ToList());
        return new InstanceRequest(tenantId, name, flavor.Id, flavor.Ram, volumeSize, datastore.Type, version.Name, databases, users,
            ConfigurationId: configurationId, Access: instance.Access?.Parse());
    }

    /// <summary>How many instances the create makes: <c>replica_count</c> (1 to 3) replicas of one source, else one.</summary>
    public static int ReplicaCount(CreateInstanceBody body) => body.Instance!.ReplicaCount switch
    {
        null or { ValueKind: JsonValueKind.Null } => 1,
        { ValueKind: JsonValueKind.Number } n when n.TryGetInt32(out var count) && count is >= 1 and <= MaxReplicaCount => count,
        _ => throw RequestError.Invalid($"'replica_count' must be a whole number from 1 to {MaxReplicaCount}."),
    };

    private const int MaxReplicaCount = 3;

    /// <summary>The source a replica is made of (<c>replica_of</c>, or upstream's older <c>slave_of</c>): an instance's id.</summary>
    private static string? ParseReplicaOf(CreateInstanceBody.InstanceFields instance) => (instance.ReplicaOf ?? instance.SlaveOf) switch
    {
        null or { ValueKind: JsonValueKind.Null } => null,
        { ValueKind: JsonValueKind.String } id when Guid.TryParse(id.GetString(), out _) => id.GetString(),
        _ => throw RequestError.Invalid("'replica_of' must be an instance's id."),
    };

    /// <summary>A replica, checked in upstream's order: it takes its flavor, volume and datastore from its source (its
    /// entity asks the source), and has its source's databases and users.</summary>
    private static InstanceRequest ParseReplica(CreateInstanceBody.InstanceFields instance, string tenantId, string name, string replicaOf,
        string? configurationId)
    {
        if (instance.FlavorRef is not null)
            throw new RequestError(400, "Cannot specify flavor when creating replicas.");
        if (instance.Datastore is not null)
            throw new RequestError(400, "Cannot specify datastore when creating replicas.");
        if (instance.Volume is not null)
            throw new RequestError(400, "Cannot specify volume when creating replicas.");
        if (instance.Locality is { ValueKind: not JsonValueKind.Null })
            throw new RequestError(400, "Cannot specify locality when creating replicas.");
        if (instance.RestorePoint is not null)
            throw new RequestError(400, "Cannot specify a restore point when creating replicas.");
        var databases = DatabaseBody.Specs(instance.Databases);
        if (databases.Count > 0 || UserBody.Specs(instance.Users, null).Count > 0)
            throw new RequestError(400, "Cannot create a replica with users or databases.");
        return new InstanceRequest(tenantId, name, "", 0, 0, "", "", [], [], ConfigurationId: configurationId,
            Access: instance.Access?.Parse(), ReplicaOf: replicaOf);
    }

    /// <summary>The id of a configuration group to create the instance with (its entity reads and checks the group), or null.</summary>
    private static string? ParseConfiguration(JsonElement? configuration) => configuration switch
    {
        null or { ValueKind: JsonValueKind.Null } => null,
        { ValueKind: JsonValueKind.String } id when id.GetString() is { Length: > 0 and <= JsonBody.TextLength } text => text,
        { ValueKind: JsonValueKind.String } => throw RequestError.Invalid($"'configuration' must be a group's id of 1 to {JsonBody.TextLength} characters."),
        _ => throw RequestError.Invalid("'configuration' must be a string."),
    };

    private static (Datastore, DatastoreVersion) ParseDatastore(CreateInstanceBody.DatastoreBody? asked, CatalogService catalog)
    {
        var type = asked?.Type;
        var datastore = catalog.FindDatastore(type ?? catalog.Settings.DefaultDatastore)
                        ?? throw new RequestError(404, $"Datastore '{type}' cannot be found.");
        var versionName = asked?.Version;
        var version = CatalogService.FindVersion(datastore, versionName ?? datastore.DefaultVersion)
                      ?? throw new RequestError(404, $"Datastore version '{versionName}' cannot be found for datastore '{datastore.Type}'.");
        if (!version.Active)
            throw new RequestError(400, $"Datastore version '{version.Name}' of '{datastore.Type}' is not active.");
        return (datastore, version);
    }

    private static int ParseVolumeSize(CreateInstanceBody.VolumeBody? volume, int max)
    {
        var text = volume?.Size?.Text ?? throw RequestError.Invalid("'volume' with a 'size' in GB is required.");
        if (!int.TryParse(text, out var size) || size < 1)
            throw RequestError.Invalid($"volume size '{text}' must be a whole number of GB, at least 1.");
        if (size > max)
            throw new RequestError(400, $"Volume size '{size}' cannot exceed the maximum allowed volume size of {max} GB.");
        return size;
    }
}
