using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Trove.Tests.Support;
using Trove.Contracts.Guests;
using Trove.Amqp;

namespace Trove.Tests.Messaging;

/// <summary>Calls to guests on the real broker: only the callee answers, and a call nobody waits for is not run.</summary>
public sealed class AmqpRpcClientTests : IAsyncLifetime
{
    private TestBroker _broker = null!;
    private AmqpPublisher _publisher = null!;
    private readonly ListLogger _log = new();
    private AmqpRpcClient _rpc = null!;

    public async Task InitializeAsync()
    {
        _broker = await TestBroker.StartAsync();
        _publisher = new AmqpPublisher(_broker.Node);
        _rpc = await AmqpRpcClient.CreateAsync(_broker.Node, _publisher,
            new AmqpRpcSettings(_broker.Settings.ReplyExchange, TroveBroker.NewReplyQueue()), _log);
    }

    public async Task DisposeAsync()
    {
        await _rpc.DisposeAsync();
        await _publisher.DisposeAsync();
        await _broker.DisposeAsync();
    }

    private static RpcMessage ChangePassword() => RpcMessage.Create(GuestMethods.UpdateAttributes,
        new UpdateAttributesArgs("app", null, new UserChanges(null, "new-password", null)));

    /// <summary>The request of a call, as its guest would take it from its queue.</summary>
    private async Task<RabbitMQ.Client.BasicGetResult> TakeAsync(string queue)
    {
        await using var channel = await _broker.Node.OpenChannelAsync(confirms: false);
        for (var i = 0; i < 200; i++)
        {
            if (await channel.BasicGetAsync(queue, autoAck: true) is { } got)
                return got;
            await Task.Delay(50);
        }
        throw new TimeoutException($"nothing arrived in {queue}");
    }

    [Fact]
    public async Task A_call_expires_when_its_caller_stops_waiting_and_a_cast_does_not()
    {
        var (a, _) = await _broker.GuestAsync();
        var queue = TroveBroker.GuestQueue(a);
        var call = _rpc.CallAsync(_broker.To(queue, ChangePassword()), TimeSpan.FromSeconds(5), TroveBroker.GuestUser(a));
        Assert.Equal("5000", (await TakeAsync(queue)).BasicProperties.Expiration);

        await _publisher.PublishAsync(_broker.To(queue, RpcMessage.Create(GuestMethods.Prepare, new { })));
        Assert.Null((await TakeAsync(queue)).BasicProperties.Expiration);

        // A call that timed out with no guest consuming is gone from the queue: the broker dropped it.
        await Assert.ThrowsAsync<TimeoutException>(() => _rpc.CallAsync(_broker.To(queue, ChangePassword()), TimeSpan.FromMilliseconds(200), TroveBroker.GuestUser(a)));
        for (var i = 0; i < 200 && (await _broker.Node.InspectQueueAsync(queue))!.Value.Messages > 0; i++)
            await Task.Delay(50);
        Assert.Equal(0u, (await _broker.Node.InspectQueueAsync(queue))!.Value.Messages);
        await Assert.ThrowsAsync<TimeoutException>(() => call);
    }

    [Fact]
    public async Task A_reply_forged_by_another_guest_does_not_answer_the_call_and_is_logged()
    {
        var (a, guestA) = await _broker.GuestAsync();
        var (_, guestB) = await _broker.GuestAsync();
        var call = _rpc.CallAsync(_broker.To(TroveBroker.GuestQueue(a), ChangePassword()), TimeSpan.FromSeconds(30), TroveBroker.GuestUser(a));
        var got = await TakeAsync(TroveBroker.GuestQueue(a));
        var request = new IncomingMessage(got.Body.ToArray(), got.Exchange, got.RoutingKey, got.Redelivered, got.BasicProperties);

        await using (var forger = new AmqpPublisher(guestB))
            await forger.PublishAsync(AmqpRpcClient.Reply(_broker.Settings.ReplyExchange, request, new RpcReply(JsonValue.Create("forged"), null).ToBytes()));
        await using (var callee = new AmqpPublisher(guestA))
            await callee.PublishAsync(AmqpRpcClient.Reply(_broker.Settings.ReplyExchange, request, new RpcReply(JsonValue.Create("done"), null).ToBytes()));

        Assert.Equal("done", RpcReply.Parse((await call).Body).Result!.GetValue<string>());
        Assert.Equal(1, _rpc.RefusedReplies);
        Assert.Contains(_log.Lines, l => l.Contains("refused a reply") && l.Contains(TroveBroker.GuestUser(a)));
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines)
                Lines.Add(formatter(state, exception));
        }
    }
}
