using System.Text.Json;
using System.Text.Json.Nodes;
using Trove.Contracts.Guests;

namespace Trove.Web.Validation;

/// <summary>Reading request bodies the way upstream's schemas accept them; every refusal is a <see cref="RequestError"/>.</summary>
public static class JsonBody
{
    /// <summary>The longest free text a body may carry in a field (names, hosts, references...), unless the field says otherwise.</summary>
    public const int TextLength = 255;

    /// <summary>Descriptions, as the tables keep them.</summary>
    public const int DescriptionLength = 1024;

    /// <summary>A key given twice is refused when parsed, rather than failing where the object is read.</summary>
    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

    /// <summary>The body as a JSON object: malformed JSON, or JSON that is not an object, is the client's error.</summary>
    public static async Task<JsonObject> ReadAsync(HttpRequest request)
    {
        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(request.Body, documentOptions: Strict, cancellationToken: request.HttpContext.RequestAborted);
        }
        catch (JsonException e)
        {
            throw new RequestError(400, $"Malformed request body: {e.Message}");
        }
        catch (BadHttpRequestException e)
        {
            // Over the body limit, or cut short: the client's error, answered here rather than logged with a stack trace.
            throw new RequestError(e.StatusCode, e.Message);
        }
        if (body is not JsonObject json)
            throw RequestError.Invalid("the body must be a JSON object.");
        try
        {
            ReadAllText(json);
        }
        catch (InvalidOperationException)
        {
            throw RequestError.Invalid("the body holds a string that is not valid Unicode (a lone surrogate).");
        }
        return json;
    }

    /// <summary>JSON may escape half a surrogate pair, which only fails when the string is read: read them all here.</summary>
    private static void ReadAllText(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, child) in o)
                    ReadAllText(child);
                break;
            case JsonArray a:
                foreach (var child in a)
                    ReadAllText(child);
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                v.GetValue<string>();
                break;
        }
    }

    /// <summary>The object under <paramref name="key"/>, e.g. the <c>instance</c> of a create.</summary>
    public static JsonObject Object(JsonObject parent, string key) =>
        parent[key] as JsonObject ?? throw RequestError.Invalid($"the body must be an object with a '{key}' object.");

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

    public static string? String(JsonObject parent, string key, bool required, int maxLength = TextLength)
    {
        var node = parent[key];
        if (node is null)
            return required ? throw RequestError.Invalid($"'{key}' is required.") : null;
        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String)
            return Limited(key, value.GetValue<string>(), maxLength);
        throw RequestError.Invalid($"'{key}' must be a string.");
    }

    /// <summary>A string or a number, as upstream accepts for references and sizes.</summary>
    public static string? Scalar(JsonObject parent, string key) => parent[key] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => Limited(key, v.GetValue<string>(), TextLength),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => Limited(key, v.ToJsonString(), TextLength),
        _ => throw RequestError.Invalid($"'{key}' must be a string or a number."),
    };

    /// <summary>true or false, or null when absent.</summary>
    public static bool? Bool(JsonObject parent, string key) => parent[key] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        _ => throw RequestError.Invalid($"'{key}' must be true or false."),
    };

    private static string Limited(string key, string text, int maxLength) =>
        text.Length <= maxLength ? text : throw RequestError.Invalid($"'{key}' must be at most {maxLength} characters.");
}
