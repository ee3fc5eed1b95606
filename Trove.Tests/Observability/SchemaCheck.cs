using System.Text.Json;
using System.Text.Json.Nodes;

namespace Trove.Tests.Observability;

/// <summary>
/// A small structural check of a JSON value against an OpenAPI 3.1 schema (<c>$ref</c>, <c>oneOf</c>, <c>type</c> as a
/// name or a list, <c>properties</c>, <c>required</c>, <c>items</c>), strict both ways: a required field missing, a field
/// of the wrong type, and a field the schema does not name are each a problem.
/// </summary>
public sealed class SchemaCheck(JsonObject document)
{
    public IReadOnlyList<string> Problems(JsonNode? value, JsonNode schema, string at = "$")
    {
        var problems = new List<string>();
        Check(value, schema, at, problems);
        return problems;
    }

    private void Check(JsonNode? value, JsonNode schema, string at, List<string> problems)
    {
        schema = Follow(schema);
        if (schema["oneOf"] is JsonArray oneOf)
        {
            if (!oneOf.Any(branch => Problems(value, branch!, at).Count == 0))
                problems.Add($"{at}: {Kind(value)} matches none of its schema's oneOf");
            return;
        }
        var types = schema["type"] switch
        {
            JsonArray list => list.Select(t => (string)t!).ToArray(),
            JsonValue one => [(string)one!],
            _ => [],
        };
        if (types.Length > 0 && !types.Any(t => Is(value, t)))
        {
            problems.Add($"{at}: {Kind(value)}, the schema says {string.Join(" or ", types)}");
            return;
        }
        switch (value)
        {
            case JsonObject obj:
                var properties = schema["properties"] as JsonObject;
                foreach (var required in schema["required"] as JsonArray ?? [])
                    if (!obj.ContainsKey((string)required!))
                        problems.Add($"{at}: required '{required}' is missing");
                foreach (var (name, child) in obj)
                {
                    if (properties?[name] is { } propertySchema)
                        Check(child, propertySchema, $"{at}.{name}", problems);
                    else if (properties is not null)
                        problems.Add($"{at}: '{name}' is not in the schema");
                }
                break;
            case JsonArray array when schema["items"] is { } items:
                for (var i = 0; i < array.Count; i++)
                    Check(array[i], items, $"{at}[{i}]", problems);
                break;
        }
    }

    /// <summary>The schema a <c>$ref</c> names; of a nullable one (<c>oneOf</c> null or a schema), that schema.</summary>
    public JsonNode Resolve(JsonNode schema)
    {
        schema = Follow(schema);
        return schema["oneOf"] is JsonArray oneOf && oneOf.Where(b => (string?)b?["type"] != "null").ToList() is [var only] ? Follow(only!) : schema;
    }

    private JsonNode Follow(JsonNode schema)
    {
        while (schema["$ref"] is JsonValue reference)
        {
            var path = ((string)reference!).TrimStart('#', '/').Split('/');
            schema = path.Aggregate((JsonNode)document, (node, part) => node[part]
                ?? throw new InvalidOperationException($"the document has no {reference}"));
        }
        return schema;
    }

    private static bool Is(JsonNode? value, string type) => (type, value?.GetValueKind()) switch
    {
        ("null", null or JsonValueKind.Null) => true,
        ("string", JsonValueKind.String) => true,
        ("boolean", JsonValueKind.True or JsonValueKind.False) => true,
        ("number", JsonValueKind.Number) => true,
        ("integer", JsonValueKind.Number) => value!.GetValue<JsonElement>().TryGetInt64(out _),
        ("array", JsonValueKind.Array) => true,
        ("object", JsonValueKind.Object) => true,
        _ => false,
    };

    private static string Kind(JsonNode? value) => value?.GetValueKind().ToString().ToLowerInvariant() ?? "null";
}
