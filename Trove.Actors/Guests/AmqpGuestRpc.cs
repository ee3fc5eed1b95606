using System.Text.Json.Nodes;
using Trove.Contracts.Guests;
using Trove.Amqp;

namespace Trove.Actors.Guests;

public sealed class AmqpGuestRpc(AmqpConnector connector, AmqpPublisher publisher, AmqpRpcClient rpc, GuestBrokerUsers users) : IGuestRpc
{
    public async Task CastAsync(string instanceId, RpcMessage message, CancellationToken ct = default)
    {
        // Declared first so that a message for a guest that has not booted yet waits for it instead of being dropped.
        var queue = AmqpSettings.GuestQueue(instanceId);
        await connector.DeclareQueueAsync(queue, ct);
        await publisher.PublishAsync(queue, message, ct: ct);
    }

    /// <summary>Only a reply from the guest's own broker user answers the call.</summary>
    public Task<JsonNode?> CallAsync(string instanceId, RpcMessage message, TimeSpan timeout, CancellationToken ct = default) =>
        rpc.CallAsync(AmqpSettings.GuestQueue(instanceId), AmqpSettings.GuestUser(instanceId), message, timeout, ct);

    public Task DeleteQueueAsync(string instanceId, CancellationToken ct = default) =>
        connector.DeleteQueueAsync(AmqpSettings.GuestQueue(instanceId), ct);

    public Task<GuestCredentials> GrantBrokerUserAsync(string instanceId, CancellationToken ct = default) =>
        users.GrantAsync(instanceId, ct);

    public Task DeleteBrokerUserAsync(string instanceId, CancellationToken ct = default) =>
        users.RevokeAsync(instanceId, ct);
}
