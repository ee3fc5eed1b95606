using System.Text;
using Trove.Amqp;
using Trove.Contracts;
using Trove.Contracts.Guests;

namespace Trove.Actors.Broker;

/// <summary>The node's broker (<c>Trove:Amqp</c>): where it is, the exchange and conductor queue of this deployment,
/// and how guests' broker users are made.</summary>
public sealed record BrokerSettings
{
    private bool PrintMembers(StringBuilder builder) => Secrets.PrintMembers(this, builder);

    public string Uri { get; init; } = NodeBrokerUri.Value;
    public string Exchange { get; init; } = TroveBroker.DefaultExchange;
    /// <summary>How many reports the conductor has in hand at once, unacknowledged: each is with its entity, and a quarter
    /// of them are acked at a time. In the thousands, so that neither an entity waking from the journal nor the round
    /// trip of an ack stalls the intake.</summary>
    public ushort Prefetch { get; init; } = 1000;

    /// <summary>The queue guests report to; one per deployment sharing a broker.</summary>
    public string ConductorQueue { get; init; } = TroveBroker.DefaultConductorQueue;

    /// <summary>The broker's management HTTP API, through which the node makes each guest's broker user; by default
    /// port 15672 of the broker's host.</summary>
    public string? ManagementUri { get; init; }

    /// <summary>What each guest's broker password is derived from (per instance), so that every node, after any restart,
    /// gives a guest the same one. Unset, a key made once in the node's data dir: a cluster's nodes must share one.</summary>
    public string? GuestSecret { get; init; }

    /// <summary>How far in the future a report's <c>sent</c> may be (the clocks of two servers differ a little).</summary>
    public TimeSpan ReportClockSkew { get; init; } = TimeSpan.FromSeconds(60);

    public string ReplyExchange => TroveBroker.ReplyExchange(Exchange);

    /// <summary>The broker user of <see cref="Uri"/>, which the node's messages carry as their <c>user-id</c>.</summary>
    public string UserName => Connection("").UserName;

    public AmqpConnectionSettings Connection(string clientName) => new(Uri, clientName);

    /// <summary>What the node declares before it publishes or consumes: the two exchanges and the conductor queue,
    /// durable, so that reports wait there while no conductor runs (guests may declare nothing).</summary>
    public IReadOnlyList<IDeclaration> Topology =>
    [
        new ExchangeDeclaration(Exchange),
        new ExchangeDeclaration(ReplyExchange),
        .. QueueOnExchange(ConductorQueue),
    ];

    /// <summary>A durable queue bound to the exchange under its own name.</summary>
    public IReadOnlyList<IDeclaration> QueueOnExchange(string queue) =>
        [new QueueDeclaration(queue), new BindingDeclaration(queue, Exchange, queue)];
}
