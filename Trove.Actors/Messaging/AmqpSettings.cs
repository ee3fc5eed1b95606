using System.Text;

namespace Trove.Actors.Messaging;

/// <summary>Where the broker is and which topic exchange carries guest RPC and conductor reports.</summary>
public sealed record AmqpSettings
{
    private bool PrintMembers(StringBuilder builder) => Secrets.PrintMembers(this, builder);

    public string Uri { get; init; } = "amqp://guest:guest@127.0.0.1:5672/";
    public string Exchange { get; init; } = "trove";
    public ushort Prefetch { get; init; } = 64;

    /// <summary>The queue guests report to; one per deployment sharing a broker.</summary>
    public string ConductorQueue { get; init; } = "trove-conductor";

    public static string GuestQueue(string instanceId) => $"guestagent.{instanceId}";
}
