using System.Text.Json;
using System.Text.Json.Nodes;
using Trove.Actors.Guests;

namespace Trove.Web.Validation;

/// <summary>Reading request bodies the way upstream's schemas accept them; every refusal is a <see cref="RequestError"/>.</summary>
public static class JsonBody
{
    /// <summary>The <c>databases</c> list of a body, each name checked by the datastore's rules.</summary>
    public static List<DatabaseSpec> Databases(JsonObject instance, NameRules rules)
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

    /// <summary>The <c>users</c> list of a body; when <paramref name="knownDatabases"/> is given, grants must name one of them.</summary>
    public static List<UserSpec> Users(JsonObject instance, NameRules rules, IReadOnlyList<string>? knownDatabases)
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
                if (knownDatabases is not null && !knownDatabases.Contains(dbName))
                    throw new RequestError(400, $"User '{name}' is granted database '{dbName}', which is not among the databases to create.");
                grants.Add(new UserDatabase(dbName));
            }
            users.Add(new UserSpec(name, password!, host, grants));
        }
        return users;
    }

    public static IEnumerable<JsonNode?> Array(JsonObject parent, string key) => parent[key] switch
    {
        null => [],
        JsonArray array => array,
        _ => throw RequestError.Invalid($"'{key}' must be a list."),
    };

    public static string? String(JsonObject parent, string key, bool required)
    {
        var node = parent[key];
        if (node is null)
            return required ? throw RequestError.Invalid($"'{key}' is required.") : null;
        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String)
            return value.GetValue<string>();
        throw RequestError.Invalid($"'{key}' must be a string.");
    }

    /// <summary>A string or a number, as upstream accepts for references and sizes.</summary>
    public static string? Scalar(JsonObject parent, string key) => parent[key] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(),
        _ => throw RequestError.Invalid($"'{key}' must be a string or a number."),
    };
}
