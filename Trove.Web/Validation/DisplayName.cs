namespace Trove.Web.Validation;

/// <summary>The name a tenant gives an instance, a backup or a configuration group: required, 1 to 255 characters once trimmed.</summary>
public static class DisplayName
{
    public const int MaxLength = 255;

    public static string Check(string? name)
    {
        var trimmed = (name ?? throw RequestError.Invalid("'name' is required.")).Trim();
        return trimmed.Length is 0 or > MaxLength ? throw RequestError.Invalid($"'name' must be 1 to {MaxLength} characters.") : trimmed;
    }
}
