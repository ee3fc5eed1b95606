using System.Text.Json.Serialization;

namespace Trove.Contracts.Guests;

/// <summary>The engine's logs a guest offers (upstream's guest logs): <see cref="Error"/>, a SYS log that is always
/// written, and <see cref="General"/>, a USER log of every statement, off until enabled.</summary>
public static class GuestLogNames
{
    public const string Error = "error";
    public const string General = "general";
    public const string SysType = "SYS";
    public const string UserType = "USER";

    public static readonly IReadOnlyList<string> All = [Error, General];

    public static string TypeOf(string name) => name == General ? UserType : SysType;
}

/// <summary>One log as the guest sees it: whether it is written, and how much it holds.</summary>
public sealed record GuestLogInfo(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("enabled")] bool Enabled,
    [property: JsonPropertyName("size")] long Size);

/// <summary>Args of <c>guest_log_action</c> (turn a USER log on or off) and <c>guest_log_read</c>.</summary>
public sealed record GuestLogArgs(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("enable")] bool? Enable = null);

/// <summary>What <c>guest_log_read</c> answers: the log and its last <see cref="MaxBytes"/> bytes at most (a publish copies these).</summary>
public sealed record GuestLogContents(
    [property: JsonPropertyName("log")] GuestLogInfo Log,
    [property: JsonPropertyName("contents")] string Contents)
{
    public const int MaxBytes = 4 * 1024 * 1024;

    /// <summary>A log may hold anything a statement held: its text is never printed.</summary>
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"Log = {Log}, Contents = ({Contents.Length} characters)");
        return true;
    }
}
