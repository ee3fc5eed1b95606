using System.Text;
using Trove.Contracts;

namespace Trove.Actors.Admin;

/// <summary>The node's admin endpoint (what <c>trove-admin</c> talks to).</summary>
public sealed record AdminSettings
{
    private bool PrintMembers(StringBuilder builder) => Secrets.PrintMembers(this, builder);

    /// <summary>Loopback by default.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>-1 turns the endpoint off.</summary>
    public int Port { get; init; } = 9110;

    /// <summary>Every caller must present it. Without one, the node keeps a generated token in <see cref="TokenFile"/>.</summary>
    public string? Token { get; init; }

    /// <summary>Where the node keeps its token (0600) when none is configured; <c>admin.token</c> in its data dir by default.
    /// Nodes of one machine may share one.</summary>
    public string? TokenFile { get; init; }
}
