using System.Text.Json.Nodes;
using Trove.Actors.Messaging;

namespace Trove.Actors.Guests;

public sealed class AmqpGuestRpc(AmqpConnector connector, AmqpPublisher publisher, AmqpRpcClient rpc) : IGuestRpc
{
    public async Task CastAsync(string instanceId, RpcMessage message, CancellationToken ct = default)
    {
        // Declared first so that a message for a guest that has not booted yet waits for it instead of being dropped.
        var queue = AmqpSettings.GuestQueue(instanceId);
        await connector.DeclareQueueAsync(queue, ct);
        await publisher.PublishAsync(queue, message, ct: ct);
    }

    public Task<JsonNode?> CallAsync(string instanceId, RpcMessage message, TimeSpan timeout, CancellationToken ct = default) =>
        rpc.CallAsync(AmqpSettings.GuestQueue(instanceId), message, timeout, ct);

    public Task DeleteQueueAsync(string instanceId, CancellationToken ct = default) =>
        connector.DeleteQueueAsync(AmqpSettings.GuestQueue(instanceId), ct);
}
