namespace Trove.Actors.Admin;

/// <summary>The node's admin endpoint (what <c>trove-admin</c> talks to).</summary>
public sealed record AdminSettings
{
    /// <summary>Loopback by default; binding elsewhere only makes sense together with <see cref="Token"/>.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>-1 turns the endpoint off.</summary>
    public int Port { get; init; } = 9110;

    /// <summary>Callers from other machines must present it; without one, only loopback callers are served.</summary>
    public string? Token { get; init; }
}
