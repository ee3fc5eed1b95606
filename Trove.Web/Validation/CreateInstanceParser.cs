using System.Text.Json;
using System.Text.Json.Nodes;
using Trove.Actors.Catalog;
using Trove.Actors.Instances;

namespace Trove.Web.Validation;

/// <summary>Turns the body of <c>POST /instances</c> into an <see cref="InstanceRequest"/>, or throws a <see cref="RequestError"/>.</summary>
public static class CreateInstanceParser
{
    /// <summary>The id of the backup to restore from (<c>restorePoint.backupRef</c>), or null.</summary>
    public static string? RestorePoint(JsonObject body) =>
        JsonBody.Object(body, "instance")["restorePoint"] switch
        {
            null => null,
            JsonObject point => JsonBody.String(point, "backupRef", required: true),
            _ => throw RequestError.Invalid("'restorePoint' must be an object with a 'backupRef'."),
        };

    public static InstanceRequest Parse(JsonObject body, string tenantId, CatalogService catalog)
    {
        var instance = JsonBody.Object(body, "instance");

        var name = JsonBody.String(instance, "name", required: true)!.Trim();
        if (name.Length is 0 or > 255)
            throw RequestError.Invalid("'name' must be 1 to 255 characters.");

        if (instance["configuration"] is not null)
            throw new RequestError(400, "A configuration group cannot be given at create yet: attach it once the instance is ACTIVE (PUT /instances/{id} with 'configuration').");
        if (instance["replica_of"] is not null || instance["slave_of"] is not null)
            throw new RequestError(400, "Replication is not supported yet: 'replica_of' cannot be used.");

        var flavorRef = JsonBody.Scalar(instance, "flavorRef") ?? throw RequestError.Invalid("'flavorRef' is required.");
        var flavor = catalog.FindFlavor(flavorRef) ?? throw new RequestError(404, $"Flavor '{flavorRef}' cannot be found.");

        var (datastore, version) = ParseDatastore(instance, catalog);
        var volumeSize = ParseVolumeSize(instance, catalog.Settings.MaxVolumeSize);

        var rules = NameRules.For(datastore.Type);
        var databases = JsonBody.Databases(instance, rules);
        var users = JsonBody.Users(instance, rules, databases.Select(d => d.Name).ToList());
        return new InstanceRequest(tenantId, name, flavor.Id, flavor.Ram, volumeSize, datastore.Type, version.Name, databases, users);
    }

    private static (Datastore, DatastoreVersion) ParseDatastore(JsonObject instance, CatalogService catalog)
    {
        var node = instance["datastore"];
        if (node is not null and not JsonObject)
            throw RequestError.Invalid("'datastore' must be an object with 'type' and 'version'.");
        var type = node is JsonObject d ? JsonBody.String(d, "type", required: false) : null;
        var datastore = catalog.FindDatastore(type ?? catalog.Settings.DefaultDatastore)
                        ?? throw new RequestError(404, $"Datastore '{type}' cannot be found.");
        var versionName = node is JsonObject v ? JsonBody.String(v, "version", required: false) : null;
        var version = CatalogService.FindVersion(datastore, versionName ?? datastore.DefaultVersion)
                      ?? throw new RequestError(404, $"Datastore version '{versionName}' cannot be found for datastore '{datastore.Type}'.");
        if (!version.Active)
            throw new RequestError(400, $"Datastore version '{version.Name}' of '{datastore.Type}' is not active.");
        return (datastore, version);
    }

    private static int ParseVolumeSize(JsonObject instance, int max)
    {
        if (instance["volume"] is not JsonObject volume || volume["size"] is null)
            throw RequestError.Invalid("'volume' with a 'size' in GB is required.");
        var text = JsonBody.Scalar(volume, "size");
        if (!int.TryParse(text, out var size) || size < 1)
            throw RequestError.Invalid($"volume size '{text}' must be a whole number of GB, at least 1.");
        if (size > max)
            throw new RequestError(400, $"Volume size '{size}' cannot exceed the maximum allowed volume size of {max} GB.");
        return size;
    }

}
