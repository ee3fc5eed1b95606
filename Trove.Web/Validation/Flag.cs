namespace Trove.Web.Validation;

/// <summary>A query flag read as upstream reads one (oslo's <c>bool_from_string</c>): anything else is false.</summary>
public static class Flag
{
    private static readonly string[] True = ["1", "t", "true", "on", "y", "yes"];

    public static bool IsTrue(string? value) => value is not null && True.Contains(value.Trim(), StringComparer.OrdinalIgnoreCase);
}
