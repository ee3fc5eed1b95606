using System.Text.Json;
using Trove.Actors.Catalog;
using Trove.Actors.Instances;
using Trove.Web.Requests;

namespace Trove.Web.Validation;

/// <summary>Turns the body of <c>POST /instances</c> (a <see cref="CreateInstanceBody"/>) into an <see cref="InstanceRequest"/>
/// checked against the catalog, or throws a <see cref="RequestError"/>.</summary>
public static class CreateInstanceParser
{
    /// <summary>The id of the backup to restore from (<c>restorePoint.backupRef</c>), or null.</summary>
    public static string? RestorePoint(CreateInstanceBody body) => body.Instance!.RestorePoint switch
    {
        null => null,
        { BackupRef: { } backupRef } => backupRef,
        _ => throw RequestError.Invalid("'backupRef' is required."),
    };

    public static InstanceRequest Parse(CreateInstanceBody body, string tenantId, CatalogService catalog)
    {
        var instance = body.Instance!;

        var name = DisplayName.Check(instance.Name);

        var configurationId = ParseConfiguration(instance.Configuration);
        if (instance.ReplicaOf is not null || instance.SlaveOf is not null)
            throw new RequestError(400, "Replication is not supported yet: 'replica_of' cannot be used.");

        var flavorRef = instance.FlavorRef?.Text ?? throw RequestError.Invalid("'flavorRef' is required.");
        var flavor = catalog.FindFlavor(flavorRef) ?? throw new RequestError(404, $"Flavor '{flavorRef}' cannot be found.");

        var (datastore, version) = ParseDatastore(instance.Datastore, catalog);
        var volumeSize = ParseVolumeSize(instance.Volume, catalog.Settings.MaxVolumeSize);

        var databases = DatabaseBody.Specs(instance.Databases);
        var users = UserBody.Specs(instance.Users, databases.Select(d => d.Name).ToList());
        return new InstanceRequest(tenantId, name, flavor.Id, flavor.Ram, volumeSize, datastore.Type, version.Name, databases, users,
            ConfigurationId: configurationId, Access: instance.Access?.Parse());
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
