using System.Diagnostics;
using Trove.Actors.Broker;
using Trove.Actors.Telemetry;
using System.Text.Json.Nodes;
using Trove.Amqp;
using Trove.Contracts.Guests;

namespace Trove.Actors.Guests;

public sealed class AmqpGuestRpc(AmqpClients amqp, GuestBrokerUsers users, OlderReleaseGuests olderReleases) : IGuestRpc
{
    private BrokerSettings Settings => amqp.Settings;

    public async Task CastAsync(string instanceId, RpcMessage message, CancellationToken ct = default)
    {
        // Its queue declared when the broker has none (the message comes back), so that a message for a guest that has not
        // booted yet waits for it instead of being dropped; the queue of a guest that has is not declared again.
        using var span = TroveTracing.Child($"guest {message.Method}", ActivityKind.Producer);
        var queue = TroveBroker.GuestQueue(instanceId);
        await amqp.Publisher.PublishDeclaringAsync(OutgoingMessage.Json(Settings.Exchange, queue, message.ToBytes()).WithTrace(span),
            Settings.QueueOnExchange(queue), ct);
    }

    /// <summary>Only a reply from the guest's own broker user answers the call (any, from an older release's guest not yet
    /// adopted: it has none).</summary>
    /// <exception cref="TimeoutException">no reply within <paramref name="timeout"/></exception>
    /// <exception cref="RpcException">the guest replied with a failure</exception>
    public async Task<JsonNode?> CallAsync(string instanceId, RpcMessage message, TimeSpan timeout, CancellationToken ct = default)
    {
        using var span = TroveTracing.Child($"guest {message.Method}", ActivityKind.Client);
        var queue = TroveBroker.GuestQueue(instanceId);
        IncomingMessage answer;
        try
        {
            answer = await amqp.Rpc.CallAsync(OutgoingMessage.Json(Settings.Exchange, queue, message.ToBytes()).WithTrace(span), timeout,
                olderReleases.Contains(instanceId) ? null : TroveBroker.GuestUser(instanceId), ct);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no reply to '{message.Method}' on {queue} within {timeout.TotalSeconds:0.#} s");
        }
        var reply = RpcReply.Parse(answer.Body);
        return reply.Failure is { } failure ? throw new RpcException(failure, reply.FailureKind ?? RpcFailureKinds.Error) : reply.Result;
    }

    public Task DeleteQueueAsync(string instanceId, CancellationToken ct = default) =>
        amqp.Connector.DeleteQueueAsync(TroveBroker.GuestQueue(instanceId), ct);

    public Task<GuestCredentials> GrantBrokerUserAsync(string instanceId, CancellationToken ct = default) =>
        users.GrantAsync(instanceId, ct);

    public Task DeleteBrokerUserAsync(string instanceId, CancellationToken ct = default) =>
        users.RevokeAsync(instanceId, ct);
}
