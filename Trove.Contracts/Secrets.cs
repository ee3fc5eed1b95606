using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Trove.Contracts;

/// <summary>
/// Keeps passwords, tokens and credentials out of logs. Dead letters and Akka's debug logging print a message's
/// <c>ToString</c>; a record that carries a secret prints <see cref="Mask"/> in its place by declaring
/// <c>private bool PrintMembers(StringBuilder builder) =&gt; Secrets.PrintMembers(this, builder);</c>, and JSON payloads
/// (guest call arguments and results) print with their secret fields masked.
/// </summary>
public static partial class Secrets
{
    public const string Mask = "***";

    /// <summary>Whether a property or JSON field of this name holds a secret: passwords, tokens and keys, and
    /// connection strings and broker URIs, which carry credentials.</summary>
    public static bool IsSecretName(string name) => SecretName().IsMatch(name);

    /// <summary>The record's members as the compiler would print them, with secret ones masked and JSON masked inside.
    /// Called by sealed records with <c>this</c>: <typeparamref name="T"/> is the record's own type, whose properties a
    /// trimmed (Native AOT) guest keeps for it.</summary>
    public static bool PrintMembers<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>(T record, StringBuilder builder)
        where T : notnull
    {
        var first = true;
        foreach (var property in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0)
                continue;
            builder.Append(first ? "" : ", ").Append(property.Name).Append(" = ");
            first = false;
            var value = property.GetValue(record);
            builder.Append(value switch
            {
                null => "",
                _ when IsSecretName(property.Name) => Mask,
                JsonNode json => Masked(json),
                _ => value.ToString(),
            });
        }
        return !first;
    }

    /// <summary>The JSON text with the value of every secret-named field, at any depth, replaced by <see cref="Mask"/>.</summary>
    public static string Masked(JsonNode? json)
    {
        if (json is null)
            return "";
        var copy = json.DeepClone();
        MaskInPlace(copy);
        return copy.ToJsonString();
    }

    private static void MaskInPlace(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    if (IsSecretName(key) && obj[key] is not null)
                        obj[key] = Mask;
                    else
                        MaskInPlace(obj[key]);
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                    MaskInPlace(item);
                break;
        }
    }

    [GeneratedRegex("password|secret|token$|tokenkey|credential|connectionstring|connection$|uri$|^authorization$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretName();
}
