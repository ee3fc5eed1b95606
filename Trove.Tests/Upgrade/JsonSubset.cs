using System.Text.Json.Nodes;

namespace Trove.Tests.Upgrade;

/// <summary>What of an old JSON document a newer one lost: a field gone or renamed, a value changed. Fields the newer
/// one adds are allowed (an older writer did not know them).</summary>
public static class JsonSubset
{
    public static IEnumerable<string> Missing(JsonNode? old, JsonNode? current, string path)
    {
        switch (old)
        {
            case JsonObject oldObject when current is JsonObject currentObject:
                foreach (var (key, value) in oldObject)
                {
                    if (!currentObject.ContainsKey(key))
                    {
                        if (value is not null) // a null the new shape no longer writes lost nothing
                            yield return $"{path}.{key} is gone (was {value.ToJsonString()})";
                        continue;
                    }
                    foreach (var missing in Missing(value, currentObject[key], $"{path}.{key}"))
                        yield return missing;
                }
                break;
            case JsonArray oldArray when current is JsonArray currentArray:
                if (oldArray.Count != currentArray.Count)
                {
                    yield return $"{path} had {oldArray.Count} items, now {currentArray.Count}";
                    break;
                }
                for (var i = 0; i < oldArray.Count; i++)
                    foreach (var missing in Missing(oldArray[i], currentArray[i], $"{path}[{i}]"))
                        yield return missing;
                break;
            default:
                if (!JsonNode.DeepEquals(old, current))
                    yield return $"{path} was {old?.ToJsonString() ?? "null"}, now {current?.ToJsonString() ?? "null"}";
                break;
        }
    }
}
