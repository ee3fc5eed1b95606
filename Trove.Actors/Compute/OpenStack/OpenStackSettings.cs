using System.Text;
using Trove.Contracts;

namespace Trove.Actors.Compute.OpenStack;

/// <summary>How to reach an OpenStack cloud: Keystone v3 password credentials scoped to a project, which of the
/// catalog's endpoints to use, and how patiently to call them.</summary>
public sealed record OpenStackSettings
{
    private bool PrintMembers(StringBuilder builder) => Secrets.PrintMembers(this, builder);

    /// <summary>Keystone's v3 root, e.g. <c>http://127.0.0.1:5000/v3</c>.</summary>
    public string AuthUrl { get; init; } = "http://127.0.0.1:5000/v3";
    public string Username { get; init; } = "";
    public string Password { get; init; } = "";
    public string ProjectName { get; init; } = "";
    public string UserDomain { get; init; } = "Default";
    public string ProjectDomain { get; init; } = "Default";

    /// <summary>The catalog region whose endpoints are used; empty takes the first endpoint of the interface.</summary>
    public string Region { get; init; } = "";

    /// <summary>The catalog interface: <c>public</c>, <c>internal</c> or <c>admin</c>.</summary>
    public string Interface { get; init; } = "public";

    /// <summary>How long one HTTP call may take before it counts as failed (and is retried).</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a call that failed with a 5xx, a lost connection or a timeout is tried again, waiting
    /// <see cref="Backoff"/> and then twice as long each time, up to <see cref="MaxBackoff"/>. The defaults outlast
    /// about 35 s of an API being down.</summary>
    public int Retries { get; init; } = 10;
    public TimeSpan Backoff { get; init; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A token is replaced this long before it expires, so that no call starts with one about to lapse.</summary>
    public TimeSpan RefreshBefore { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The wait before retry number <paramref name="attempt"/> (0 for the first retry).</summary>
    public TimeSpan BackoffFor(int attempt) =>
        TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, Backoff.Ticks * (1L << Math.Min(attempt, 20))));
}
