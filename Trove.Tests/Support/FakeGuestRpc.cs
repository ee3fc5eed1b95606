using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Trove.Actors.Guests;
using Trove.Contracts.Guests;
using Trove.Amqp;

namespace Trove.Tests.Support;

/// <summary>A guest RPC double for actor specs only: records what was sent.</summary>
public sealed class FakeGuestRpc : IGuestRpc
{
    public ConcurrentQueue<(string InstanceId, RpcMessage Message)> Casts { get; } = new();
    public ConcurrentQueue<(string InstanceId, RpcMessage Message)> Calls { get; } = new();
    public ConcurrentQueue<string> DeletedQueues { get; } = new();
    public Exception? FailCast { get; set; }
    /// <summary>Casts wait for it: a spec holds them to stop an entity between two steps.</summary>
    public Task CastGate { get; set; } = Task.CompletedTask;

    public async Task CastAsync(string instanceId, RpcMessage message, CancellationToken ct = default)
    {
        await CastGate;
        if (FailCast is not null)
            throw FailCast;
        Casts.Enqueue((instanceId, message));
    }

    /// <summary>Calls wait for it: a spec holds a guest action (a resize) to stop an entity while it runs.</summary>
    public Task CallGate { get; set; } = Task.CompletedTask;
    public Exception? FailCall { get; set; }
    /// <summary>What a call answers (by instance and message); none when not set.</summary>
    public Func<string, RpcMessage, JsonNode?>? Answer { get; set; }

    public async Task<JsonNode?> CallAsync(string instanceId, RpcMessage message, TimeSpan timeout, CancellationToken ct = default)
    {
        Calls.Enqueue((instanceId, message));
        await CallGate;
        return FailCall is null ? Answer?.Invoke(instanceId, message) : throw FailCall;
    }

    public Task DeleteQueueAsync(string instanceId, CancellationToken ct = default)
    {
        DeletedQueues.Enqueue(instanceId);
        return Task.CompletedTask;
    }

    public ConcurrentQueue<string> GrantedBrokerUsers { get; } = new();
    public ConcurrentQueue<string> DeletedBrokerUsers { get; } = new();

    public Task<GuestCredentials> GrantBrokerUserAsync(string instanceId, CancellationToken ct = default)
    {
        GrantedBrokerUsers.Enqueue(instanceId);
        return Task.FromResult(new GuestCredentials(TroveBroker.GuestUser(instanceId), "secret"));
    }

    public Task DeleteBrokerUserAsync(string instanceId, CancellationToken ct = default)
    {
        DeletedBrokerUsers.Enqueue(instanceId);
        return Task.CompletedTask;
    }
}
