using System.Text.Json;
using System.Text.Json.Nodes;
using Trove.Actors.Catalog;
using Trove.Actors.Guests;
using Trove.Actors.Instances;

namespace Trove.Web.Validation;

/// <summary>Turns the body of <c>POST /instances</c> into an <see cref="InstanceRequest"/>, or throws a <see cref="RequestError"/>.</summary>
public static class CreateInstanceParser
{
    public static InstanceRequest Parse(JsonNode? body, string tenantId, CatalogService catalog)
    {
        if (body?["instance"] is not JsonObject instance)
            throw RequestError.Invalid("the body must be a JSON object with an 'instance' object.");

        var name = String(instance, "name", required: true)!.Trim();
        if (name.Length is 0 or > 255)
            throw RequestError.Invalid("'name' must be 1 to 255 characters.");

        if (instance["replica_of"] is not null || instance["slave_of"] is not null)
            throw new RequestError(400, "Replication is not supported yet: 'replica_of' cannot be used.");
        if (instance["restorePoint"] is not null)
            throw new RequestError(400, "Restoring from a backup is not supported yet: 'restorePoint' cannot be used.");

        var flavorRef = Scalar(instance, "flavorRef") ?? throw RequestError.Invalid("'flavorRef' is required.");
        var flavor = catalog.FindFlavor(flavorRef) ?? throw new RequestError(404, $"Flavor '{flavorRef}' cannot be found.");

        var (datastore, version) = ParseDatastore(instance, catalog);
        var volumeSize = ParseVolumeSize(instance, catalog.Settings.MaxVolumeSize);

        var rules = NameRules.For(datastore.Type);
        var databases = ParseDatabases(instance, rules);
        var users = ParseUsers(instance, rules, databases);
        return new InstanceRequest(tenantId, name, flavor.Id, flavor.Ram, volumeSize, datastore.Type, version.Name, databases, users);
    }

    private static (Datastore, DatastoreVersion) ParseDatastore(JsonObject instance, CatalogService catalog)
    {
        var node = instance["datastore"];
        if (node is not null and not JsonObject)
            throw RequestError.Invalid("'datastore' must be an object with 'type' and 'version'.");
        var type = node is JsonObject d ? String(d, "type", required: false) : null;
        var datastore = catalog.FindDatastore(type ?? catalog.Settings.DefaultDatastore)
                        ?? throw new RequestError(404, $"Datastore '{type}' cannot be found.");
        var versionName = node is JsonObject v ? String(v, "version", required: false) : null;
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
        var text = Scalar(volume, "size");
        if (!int.TryParse(text, out var size) || size < 1)
            throw RequestError.Invalid($"volume size '{text}' must be a whole number of GB, at least 1.");
        if (size > max)
            throw new RequestError(400, $"Volume size '{size}' cannot exceed the maximum allowed volume size of {max} GB.");
        return size;
    }

    private static List<DatabaseSpec> ParseDatabases(JsonObject instance, NameRules rules)
    {
        var databases = new List<DatabaseSpec>();
        foreach (var item in Array(instance, "databases"))
        {
            if (item is not JsonObject db)
                throw RequestError.Invalid("each of 'databases' must be an object with a 'name'.");
            var name = String(db, "name", required: true)!;
            rules.CheckDatabase(name);
            if (databases.Any(d => d.Name == name))
                throw new RequestError(400, $"Database '{name}' is listed more than once.");
            databases.Add(new DatabaseSpec(name, String(db, "character_set", false), String(db, "collate", false)));
        }
        return databases;
    }

    private static List<UserSpec> ParseUsers(JsonObject instance, NameRules rules, List<DatabaseSpec> databases)
    {
        var users = new List<UserSpec>();
        foreach (var item in Array(instance, "users"))
        {
            if (item is not JsonObject user)
                throw RequestError.Invalid("each of 'users' must be an object with a 'name' and a 'password'.");
            var name = String(user, "name", required: true)!;
            rules.CheckUser(name);
            var password = String(user, "password", required: false);
            NameRules.CheckPassword(name, password);
            var host = String(user, "host", required: false);
            if (users.Any(u => u.Name == name && u.Host == host))
                throw new RequestError(400, $"User '{name}' is listed more than once.");
            var grants = new List<UserDatabase>();
            foreach (var g in Array(user, "databases"))
            {
                var dbName = g is JsonObject o ? String(o, "name", required: true)! : throw RequestError.Invalid($"the databases of user '{name}' must be objects with a 'name'.");
                if (databases.All(d => d.Name != dbName))
                    throw new RequestError(400, $"User '{name}' is granted database '{dbName}', which is not among the databases to create.");
                grants.Add(new UserDatabase(dbName));
            }
            users.Add(new UserSpec(name, password!, host, grants));
        }
        return users;
    }

    private static IEnumerable<JsonNode?> Array(JsonObject parent, string key) => parent[key] switch
    {
        null => [],
        JsonArray array => array,
        _ => throw RequestError.Invalid($"'{key}' must be a list."),
    };

    private static string? String(JsonObject parent, string key, bool required)
    {
        var node = parent[key];
        if (node is null)
            return required ? throw RequestError.Invalid($"'{key}' is required.") : null;
        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String)
            return value.GetValue<string>();
        throw RequestError.Invalid($"'{key}' must be a string.");
    }

    /// <summary>A string or a number, as upstream accepts for references and sizes.</summary>
    private static string? Scalar(JsonObject parent, string key) => parent[key] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(),
        _ => throw RequestError.Invalid($"'{key}' must be a string or a number."),
    };
}
