using System.Text;
using Trove.Contracts.Guests;
using Trove.Contracts;

namespace Trove.Amqp;

/// <summary>Where the broker is and which topic exchange carries guest RPC and conductor reports.</summary>
public sealed record AmqpSettings
{
    private bool PrintMembers(StringBuilder builder) => Secrets.PrintMembers(this, builder);

    public string Uri { get; init; } = NodeBrokerUri.Value;
    public string Exchange { get; init; } = "trove";
    public ushort Prefetch { get; init; } = 64;

    /// <summary>The queue guests report to; one per deployment sharing a broker.</summary>
    public string ConductorQueue { get; init; } = "trove-conductor";

    /// <summary>The broker's management HTTP API, through which the node makes each guest's broker user; by default
    /// port 15672 of the broker's host.</summary>
    public string? ManagementUri { get; init; }

    /// <summary>What each guest's broker password is derived from (per instance), so that every node, after any restart,
    /// gives a guest the same one. Unset, a key made once in the node's data dir: a cluster's nodes must share one.</summary>
    public string? GuestSecret { get; init; }

    /// <summary>How far in the future a report's <c>sent</c> may be (the clocks of two servers differ a little).</summary>
    public TimeSpan ReportClockSkew { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>False for a guest, whose broker user may not declare anything: the node declares what it uses.</summary>
    public bool DeclaresTopology { get; init; } = true;

    /// <summary>The topic exchange replies to calls go through: a guest may publish there only with a reply queue's name
    /// as the routing key, never into a queue of the default exchange.</summary>
    public string ReplyExchange => $"{Exchange}-reply";

    /// <summary>The broker user of <see cref="Uri"/>, which this process's messages carry as their <c>user-id</c>.</summary>
    public string UserName => System.Uri.TryCreate(Uri, UriKind.Absolute, out var uri) && uri.UserInfo is { Length: > 0 } info
        ? System.Uri.UnescapeDataString(info.Split(':')[0])
        : "guest";

    public static string GuestQueue(string instanceId) => $"guestagent.{instanceId}";

    /// <summary>The broker user of one instance's guest.</summary>
    public static string GuestUser(string instanceId) => $"trove-guest-{instanceId}";
}
