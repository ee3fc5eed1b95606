using System.Text.Json.Nodes;
using Trove.Contracts.Guests;

namespace Trove.Actors.Guests;

/// <summary>Talks to one instance's guest agent over its queue.</summary>
public interface IGuestRpc
{
    /// <summary>Queues a message for the guest (creating its durable queue if needed); done once the broker has it.</summary>
    Task CastAsync(string instanceId, RpcMessage message, CancellationToken ct = default);

    /// <summary>Calls the guest and waits for its reply.</summary>
    Task<JsonNode?> CallAsync(string instanceId, RpcMessage message, TimeSpan timeout, CancellationToken ct = default);

    /// <summary>Removes the guest's queue once its server is gone.</summary>
    Task DeleteQueueAsync(string instanceId, CancellationToken ct = default);

    /// <summary>Makes (again, unchanged, if it exists) the guest's own broker user, which its server is given.</summary>
    Task<GuestCredentials> GrantBrokerUserAsync(string instanceId, CancellationToken ct = default);

    /// <summary>Deletes the guest's broker user once its server is gone; a missing one is already deleted.</summary>
    Task DeleteBrokerUserAsync(string instanceId, CancellationToken ct = default);
}
