using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Trove.Actors.Configurations;

/// <summary>What a datastore accepts for one configuration parameter (upstream's validation-rules).</summary>
public sealed record ParameterRule(string Name, string Type, double? Min, double? Max, bool RestartRequired)
{
    /// <summary>The value as the engine's configuration file wants it, or why it is refused.</summary>
    public (string? Value, string? Error) Check(JsonNode? value)
    {
        if (value is not JsonValue scalar)
            return (null, $"The value of '{Name}' must be a {Type}.");
        switch (Type)
        {
            case "integer":
                if (!TryNumber(scalar, out var n) || n != Math.Floor(n))
                    return (null, $"The value of '{Name}' must be an integer.");
                return InRange(n) ?? (((long)n).ToString(CultureInfo.InvariantCulture), null);
            case "float":
                if (!TryNumber(scalar, out var f))
                    return (null, $"The value of '{Name}' must be a number.");
                return InRange(f) ?? (f.ToString(CultureInfo.InvariantCulture), null);
            case "boolean":
                return scalar.GetValueKind() is JsonValueKind.True or JsonValueKind.False
                    ? (scalar.GetValue<bool>() ? "on" : "off", null)
                    : (null, $"The value of '{Name}' must be true or false.");
            default:
                return scalar.GetValueKind() == JsonValueKind.String && scalar.GetValue<string>() is { Length: > 0 and <= 1024 } text
                       && !text.Contains('\n') && !text.Contains('\0')
                    ? (text, null)
                    : (null, $"The value of '{Name}' must be a non-empty string on one line.");
        }
    }

    private (string?, string?)? InRange(double value) =>
        (Min is { } min && value < min) || (Max is { } max && value > max)
            ? (null, $"The value of '{Name}' must be between {Min?.ToString(CultureInfo.InvariantCulture) ?? "-inf"} and {Max?.ToString(CultureInfo.InvariantCulture) ?? "inf"}.")
            : null;

    private static bool TryNumber(JsonValue value, out double number)
    {
        number = 0;
        return value.GetValueKind() == JsonValueKind.Number && value.TryGetValue(out number);
    }
}

/// <summary>A datastore's validation-rules file under <c>hocon/validation-rules/</c>.</summary>
public sealed record ValidationRulesFile(
    [property: System.Text.Json.Serialization.JsonPropertyName("datastore")] string Datastore,
    [property: System.Text.Json.Serialization.JsonPropertyName("configuration-parameters")] IReadOnlyList<RuleEntry> Parameters);

public sealed record RuleEntry(
    [property: System.Text.Json.Serialization.JsonPropertyName("name")] string Name,
    [property: System.Text.Json.Serialization.JsonPropertyName("type")] string Type,
    [property: System.Text.Json.Serialization.JsonPropertyName("min")] double? Min,
    [property: System.Text.Json.Serialization.JsonPropertyName("max")] double? Max,
    [property: System.Text.Json.Serialization.JsonPropertyName("restart_required")] bool RestartRequired);
