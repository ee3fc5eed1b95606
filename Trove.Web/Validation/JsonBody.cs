using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;

namespace Trove.Web.Validation;

/// <summary>Reading a request body into its typed record (<see cref="IRequestBody{TSelf}"/>) the way upstream's schemas
/// accept it; every refusal is a <see cref="RequestError"/>. Handlers take a <see cref="Body{T}"/>, which reads through here.</summary>
public static partial class JsonBody
{
    /// <summary>The longest free text a body may carry in a field (names, hosts, references...), unless the field says otherwise.</summary>
    public const int TextLength = 255;

    /// <summary>Descriptions, as the tables keep them.</summary>
    public const int DescriptionLength = 1024;

    /// <summary>A key given twice is refused when parsed, rather than failing where the object is read.</summary>
    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

    /// <summary>The body as a JSON object: malformed JSON, or JSON that is not an object, is the client's error.</summary>
    private static async Task<JsonObject> ReadAsync(HttpRequest request)
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
}
