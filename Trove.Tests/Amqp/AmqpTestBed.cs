using Trove.Actors.Broker;
using System.Collections.Concurrent;
using System.Text;
using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Trove.Amqp;
using Trove.Tests.Support;

namespace Trove.Tests.Amqp;

/// <summary>
/// The connector on the real broker, as any application would use it: a queue of the test's own on the default
/// exchange, numbered messages, a consuming stream that counts what it handled, and the management API to break
/// connections under it.
/// </summary>
/// <param name="brokerUri">a broker of the test's own (<see cref="PrivateRabbitMq"/>); the shared one by default</param>
/// <param name="management">that broker's management API</param>
public sealed class AmqpTestBed(string? brokerUri = null, HttpClient? management = null) : IAsyncDisposable
{
    private readonly List<AmqpConnector> _connectors = [];
    private readonly string _brokerUri = brokerUri ?? NodeBrokerUri.Value;

    public ActorSystem System { get; } = ActorSystem.Create("amqp-tests", "akka.loglevel = WARNING");
    public string Queue { get; } = $"amqp-test.{Guid.NewGuid():N}";
    public HttpClient Management { get; } = management ?? TestBroker.ManagementClient();

    /// <summary>A connection of its own, named so that the management API finds it.</summary>
    public async Task<AmqpConnector> ConnectAsync(string role)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var connector = await AmqpConnector.ConnectAsync(new AmqpConnectionSettings(_brokerUri, $"{Queue}.{role}"), timeout.Token);
        _connectors.Add(connector);
        return connector;
    }

    public NamedQueueSourceSettings Source(ushort prefetch = 16) => new(Queue) { Declarations = [new QueueDeclaration(Queue)], Prefetch = prefetch };

    public OutgoingMessage Message(int n) => OutgoingMessage.Json("", Queue, Encoding.UTF8.GetBytes(n.ToString()));

    public static int NumberOf(IncomingMessage message) => int.Parse(Encoding.UTF8.GetString(message.Body));

    public async Task<uint> WaitingAsync(AmqpConnector connector) => (await connector.InspectQueueAsync(Queue))!.Value.Messages;

    /// <summary>Runs a consuming stream that restarts after broker errors, records each number it handled and acks it
    /// (after <paramref name="handle"/>); the result of every ack is kept.</summary>
    public Consumer Consume(AmqpConnector connector, Func<CommittableIncomingMessage, Task>? handle = null, ushort prefetch = 16)
    {
        var consumer = new Consumer();
        var kill = KillSwitches.Shared("test-consumer");
        consumer.Kill = kill;
        consumer.Completion = AmqpSource.Restarting(
                () => AmqpSource.CommittableSource(connector, Source(prefetch))
                    .Via(kill.Flow<CommittableIncomingMessage>())
                    .SelectAsync(1, async m =>
                    {
                        if (handle is not null)
                            await handle(m);
                        consumer.Handled.Enqueue(NumberOf(m.Message));
                        consumer.Acks.Enqueue(await m.AckAsync());
                        return Done.Instance;
                    }),
                _ => Interlocked.Increment(ref consumer.RestartCount),
                RestartSettings.Create(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), 0.1))
            .RunWith(Sink.Ignore<Done>(), System.Materializer());
        return consumer;
    }

    public sealed class Consumer
    {
        public ConcurrentQueue<int> Handled { get; } = new();
        public ConcurrentQueue<bool> Acks { get; } = new();
        public int RestartCount;
        public SharedKillSwitch Kill { get; set; } = null!;
        public Task Completion { get; set; } = Task.CompletedTask;

        public async Task WaitForAsync(Func<Consumer, bool> condition, TimeSpan within, string what)
        {
            var deadline = DateTime.UtcNow + within;
            while (!condition(this))
            {
                if (DateTime.UtcNow > deadline)
                    Assert.Fail($"{what}: not within {within.TotalSeconds} s (handled {Handled.Distinct().Count()} distinct, {RestartCount} restarts)");
                Assert.False(Completion.IsCompleted, $"the consuming stream ended: {Completion.Exception?.GetBaseException().Message}");
                await Task.Delay(50);
            }
        }
    }

    /// <summary>Closes every broker connection this test bed named <paramref name="role"/>.</summary>
    public Task CloseConnectionsAsync(string role) => TestBroker.CloseConnectionsAsync(Management, $"{Queue}.{role}");

    public async ValueTask DisposeAsync()
    {
        if (_connectors.FirstOrDefault() is { } any)
            try { await any.DeleteQueueAsync(Queue); } catch (Exception) { /* the broker is gone: the queue is a test's leftover */ }
        foreach (var connector in _connectors)
            await connector.DisposeAsync();
        Management.Dispose();
        await System.Terminate();
    }
}
