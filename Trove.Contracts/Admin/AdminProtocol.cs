using System.Text;
using System.Text.Json.Serialization;
using Trove.Contracts;

namespace Trove.Contracts.Admin;

/// <summary>One command, sent as one line of JSON; the endpoint answers with one line of JSON and closes.</summary>
public sealed record AdminRequest(
    [property: JsonPropertyName("args")] IReadOnlyList<string> Args,
    [property: JsonPropertyName("token")] string? Token = null)
{
    private bool PrintMembers(StringBuilder builder) => Secrets.PrintMembers(this, builder);
}

public sealed record AdminResponse(
    [property: JsonPropertyName("exit")] int Exit,
    [property: JsonPropertyName("output")] string Output)
{
    public static AdminResponse Ok(string output) => new(AdminExit.Ok, output);
    public static AdminResponse Failed(string output) => new(AdminExit.Failed, output);
    public static AdminResponse Usage(string output) => new(AdminExit.Usage, output);
}

/// <summary>Exit codes of <c>trove-admin</c>, so scripts can tell a refusal from a failure.</summary>
public static class AdminExit
{
    public const int Ok = 0;
    /// <summary>The command ran and did not succeed (no such member, entity, or an answer that did not come).</summary>
    public const int Failed = 1;
    /// <summary>Unknown command or bad arguments.</summary>
    public const int Usage = 2;
    /// <summary>The endpoint refused the caller (remote without the right token).</summary>
    public const int Refused = 3;
    /// <summary>The endpoint could not be reached.</summary>
    public const int Unreachable = 4;
}
