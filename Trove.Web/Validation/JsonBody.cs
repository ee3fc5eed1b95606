using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Trove.Contracts.Guests;
using Trove.Web.Requests;

namespace Trove.Web.Validation;

/// <summary>Reading request bodies the way upstream's schemas accept them; every refusal is a <see cref="RequestError"/>.</summary>
public static partial class JsonBody
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

    /// <summary>The body as a typed request record: read as <see cref="ReadAsync(HttpRequest)"/> reads it (an object, no key
    /// twice, no lone surrogate, within the body limit), then by the source-generated context, then by the record's own checks.</summary>
    public static async Task<T> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> info) where T : class, IRequestBody<T> =>
        Read(await ReadAsync(request), info);

    /// <summary>A body already read, as a typed request record, checked.</summary>
    public static T Read<T>(JsonObject body, JsonTypeInfo<T> info) where T : class, IRequestBody<T>
    {
        var record = Deserialize(body, info) ?? throw RequestError.Invalid("the body must be a JSON object.");
        record.Validate();
        return record;
    }

    /// <summary>A part of a body as the typed record or list <paramref name="info"/> describes; a value of the wrong kind is
    /// the client's error, named by its field.</summary>
    public static T? Deserialize<T>(JsonNode? node, JsonTypeInfo<T> info)
    {
        try
        {
            return node.Deserialize(info);
        }
        catch (JsonException e)
        {
            throw RequestError.Invalid(e is RequestText.Refused ? $"'{FieldAt(info, e.Path).Name}' {e.Message}" : WrongKind(info, e.Path));
        }
    }

    /// <summary>What the field at <paramref name="path"/> should have been, in the words the API has always used.</summary>
    private static string WrongKind(JsonTypeInfo root, string? path)
    {
        var (name, type, isItem) = FieldAt(root, path);
        type = Nullable.GetUnderlyingType(type) ?? type;
        var kind = root.Options.TryGetTypeInfo(type, out var info) ? info.Kind : JsonTypeInfoKind.None;
        return (kind, isItem) switch
        {
            (JsonTypeInfoKind.Object or JsonTypeInfoKind.Dictionary, false) => $"the body must be an object with a '{name}' object.",
            (JsonTypeInfoKind.Object or JsonTypeInfoKind.Dictionary, true) => $"each of '{name}' must be an object.",
            (JsonTypeInfoKind.Enumerable, _) => $"'{name}' must be a list.",
            _ when type == typeof(bool) => $"'{name}' must be true or false.",
            _ => $"'{name}' is not of the kind the API takes there.",
        };
    }

    /// <summary>The field a JSON path such as <c>$.instance.users[0].name</c> ends in: its name (a list's name for an item), its type.</summary>
    private static (string Name, Type Type, bool IsItem) FieldAt(JsonTypeInfo root, string? path)
    {
        var (name, type, isItem) = ("body", root.Type, false);
        foreach (Match segment in PathSegment().Matches(path ?? ""))
        {
            var info = root.Options.TryGetTypeInfo(Nullable.GetUnderlyingType(type) ?? type, out var found) ? found : null;
            isItem = segment.Groups["index"].Success;
            if (!isItem)
                name = segment.Groups["dotted"].Success ? segment.Groups["dotted"].Value : segment.Groups["quoted"].Value;
            type = info switch
            {
                { Kind: JsonTypeInfoKind.Enumerable or JsonTypeInfoKind.Dictionary } => info.ElementType!,
                { Kind: JsonTypeInfoKind.Object } => info.Properties.FirstOrDefault(p => p.Name == name)?.PropertyType ?? typeof(object),
                _ => typeof(object),
            };
        }
        return (name, type, isItem);
    }

    [GeneratedRegex(@"\.(?<dotted>[^.\[]+)|\['(?<quoted>(?:[^']|'')*)'\]|\[(?<index>\d+)\]")]
    private static partial Regex PathSegment();

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
    public static List<DatabaseSpec> Databases(JsonObject parent, NameRules rules) =>
        Databases(Deserialize(parent["databases"], RequestJson.Default.ListDatabaseBody), rules);

    public static List<DatabaseSpec> Databases(IReadOnlyList<DatabaseBody?>? items, NameRules rules)
    {
        var databases = new List<DatabaseSpec>();
        foreach (var item in items ?? [])
        {
            var name = item?.Name ?? throw RequestError.Invalid("each of 'databases' must be an object with a 'name'.");
            rules.CheckDatabase(name);
            if (databases.Any(d => d.Name == name))
                throw new RequestError(400, $"Database '{name}' is listed more than once.");
            databases.Add(new DatabaseSpec(name, item.CharacterSet, item.Collate));
        }
        return databases;
    }

    /// <summary>The <c>users</c> list of a body; when <paramref name="knownDatabases"/> is given, grants must name one of them.</summary>
    public static List<UserSpec> Users(JsonObject parent, NameRules rules, IReadOnlyList<string>? knownDatabases) =>
        Users(Deserialize(parent["users"], RequestJson.Default.ListUserBody), rules, knownDatabases);

    public static List<UserSpec> Users(IReadOnlyList<UserBody?>? items, NameRules rules, IReadOnlyList<string>? knownDatabases)
    {
        var users = new List<UserSpec>();
        foreach (var item in items ?? [])
        {
            var name = item?.Name ?? throw RequestError.Invalid("each of 'users' must be an object with a 'name' and a 'password'.");
            rules.CheckUser(name);
            NameRules.CheckPassword(name, item.Password);
            if (users.Any(u => u.Name == name && u.Host == item.Host))
                throw new RequestError(400, $"User '{name}' is listed more than once.");
            var grants = new List<UserDatabase>();
            foreach (var grant in item.Databases ?? [])
            {
                var dbName = grant?.Name ?? throw RequestError.Invalid($"the databases of user '{name}' must be objects with a 'name'.");
                if (knownDatabases is not null && !knownDatabases.Contains(dbName))
                    throw new RequestError(400, $"User '{name}' is granted database '{dbName}', which is not among the databases to create.");
                grants.Add(new UserDatabase(dbName));
            }
            users.Add(new UserSpec(name, item.Password!, item.Host, grants));
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
