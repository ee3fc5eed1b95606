namespace Trove.Actors.Hosting;

/// <summary><c>Trove:Logging</c>: the console log's <see cref="Format"/>, <c>text</c> (one line per entry) or <c>json</c>
/// (one JSON object per line with its scopes, Akka's own entries included).</summary>
public sealed record LoggingSettings
{
    public const string Json = "json";

    public string Format { get; init; } = "text";

    public bool IsJson => string.Equals(Format, Json, StringComparison.OrdinalIgnoreCase);
}
