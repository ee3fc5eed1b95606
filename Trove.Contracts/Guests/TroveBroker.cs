namespace Trove.Contracts.Guests;

/// <summary>How Trove lays itself out on the broker, which the node and the guests share: the guest exchange and the
/// reply exchange next to it, the conductor queue, and one queue and one broker user per instance's guest.</summary>
public static class TroveBroker
{
    public const string DefaultExchange = "trove";

    /// <summary>The queue guests report to; one per deployment sharing a broker.</summary>
    public const string DefaultConductorQueue = "trove-conductor";

    /// <summary>The topic exchange replies to calls go through: a guest may publish there only with a reply queue's name
    /// as the routing key, never into a queue of the default exchange.</summary>
    public static string ReplyExchange(string exchange) => $"{exchange}-reply";

    public static string GuestQueue(string instanceId) => $"guestagent.{instanceId}";

    /// <summary>The broker user of one instance's guest.</summary>
    public static string GuestUser(string instanceId) => GuestUserPrefix + instanceId;

    public const string GuestUserPrefix = "trove-guest-";

    /// <summary>A node's reply queue: the only routing keys a guest may publish to on the reply exchange.</summary>
    public static string NewReplyQueue() => $"reply.{Guid.NewGuid():N}";

    public const string ReplyQueuePattern = @"^reply\.[0-9a-f]{32}$";
}
