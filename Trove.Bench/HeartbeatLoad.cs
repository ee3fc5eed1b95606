using Trove.Actors.Broker;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Trove.Contracts.Guests;
using Trove.Amqp;

namespace Trove.Bench;

/// <summary>The conductor benchmark's load and its limit: heartbeats published while a node or bare consumers drain them.</summary>
public static class HeartbeatLoad
{
    // Tuned so that neither the publisher nor the bare consumer is the bound: several channels publishing with their
    // confirms awaited in windows; several consumers with a prefetch in the thousands acking in batches (multiple).
    private const int Publishers = 4, PublishWindow = 500, Consumers = 4, AckEvery = 250;
    private const ushort RawPrefetch = 2000;

    /// <summary>
    /// Publishes <paramref name="messages"/> heartbeats as fast as the broker confirms them while the queue is drained:
    /// by the node's conductor (already consuming) or, with <paramref name="raw"/>, by bare consumers that only ack,
    /// RabbitMQ's own limit on this machine. Reports messages / (first publish to drained); for the node, drained is
    /// the queue's ready count at 0, which leaves at most the conductor's prefetch in flight.
    /// </summary>
    public static async Task<int> LoadAndDrainAsync(string uri, string queue, int instances, int messages, bool raw)
    {
        await using var impersonator = await Impersonator.CreateAsync(uri);
        var settings = new BrokerSettings { Uri = impersonator.Uri };
        await using var publishing = await AmqpConnector.ConnectAsync(settings.Connection("trove-bench-load"));
        await using var consuming = await AmqpConnector.ConnectAsync(settings.Connection("trove-bench-raw"));
        await using var load = await Publishing.ReadyAsync(publishing, settings, queue, instances, messages);
        var consumers = raw ? await Task.WhenAll(Enumerable.Range(0, Consumers).Select(_ => RawConsumer.StartAsync(consuming, queue, messages))) : [];
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await load.AllAsync();
        var published = watch.Elapsed;
        if (raw)
            await RawConsumer.DrainedAsync(consumers);
        else
            while ((await publishing.InspectQueueAsync(queue))?.Messages > 0)
                await Task.Delay(5);
        var drained = watch.Elapsed;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        Console.WriteLine($"published at {messages / published.TotalSeconds:0} msg/s ({published.TotalSeconds:0.000} s); " +
                          $"drained {messages} messages in {drained.TotalSeconds:0.000} s: {messages / drained.TotalSeconds:0} msg/s; " +
                          $"this client used {cpu / drained:0.00} cores");
        return 0;
    }

    /// <summary>
    /// RabbitMQ's two halves apart, on the same queue, broker and machine as <see cref="LoadAndDrainAsync"/>: the
    /// heartbeats published with no consumer (the broker taking persistent messages with confirms, alone), then drained
    /// by the bare consumers with no publisher (the broker delivering and taking acks, alone). A heartbeat published while
    /// the queue is drained costs the broker both, on the one process of its one queue.
    /// </summary>
    public static async Task<int> PhasesAsync(string uri, string queue, int instances, int messages)
    {
        await using var impersonator = await Impersonator.CreateAsync(uri);
        var settings = new BrokerSettings { Uri = impersonator.Uri };
        await using var publishing = await AmqpConnector.ConnectAsync(settings.Connection("trove-bench-load"));
        await using var consuming = await AmqpConnector.ConnectAsync(settings.Connection("trove-bench-raw"));
        await using var load = await Publishing.ReadyAsync(publishing, settings, queue, instances, messages);
        var watch = Stopwatch.StartNew();
        await load.AllAsync();
        var published = watch.Elapsed;
        await load.DisposeAsync();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        watch.Restart();
        await RawConsumer.DrainedAsync(await Task.WhenAll(Enumerable.Range(0, Consumers).Select(_ => RawConsumer.StartAsync(consuming, queue, messages))));
        var drained = watch.Elapsed;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        Console.WriteLine($"published alone at {messages / published.TotalSeconds:0} msg/s ({published.TotalSeconds:0.000} s); " +
                          $"drained alone {messages} messages in {drained.TotalSeconds:0.000} s: {messages / drained.TotalSeconds:0} msg/s; " +
                          $"this client used {cpu / drained:0.00} cores draining");
        return 0;
    }

    /// <summary>Publishes <paramref name="messages"/> heartbeats as <see cref="LoadAndDrainAsync"/> does, and returns once the
    /// broker confirmed them all: for a queue whose consumer is paused, to be timed draining them alone.</summary>
    public static async Task<int> FillAsync(string uri, string queue, int instances, int messages)
    {
        await using var impersonator = await Impersonator.CreateAsync(uri);
        var settings = new BrokerSettings { Uri = impersonator.Uri };
        await using var publishing = await AmqpConnector.ConnectAsync(settings.Connection("trove-bench-fill"));
        await using var load = await Publishing.ReadyAsync(publishing, settings, queue, instances, messages);
        var watch = Stopwatch.StartNew();
        await load.AllAsync();
        Console.WriteLine($"filled at {messages / watch.Elapsed.TotalSeconds:0} msg/s ({watch.Elapsed.TotalSeconds:0.000} s)");
        return 0;
    }

    /// <summary>
    /// The reports a node finds queued when it starts after a stop: <paramref name="rounds"/> heartbeats of each of
    /// <paramref name="instances"/> guests, every guest sending one each <paramref name="interval"/> seconds up to now.
    /// Published with no consumer; the node started next drains them.
    /// </summary>
    public static async Task<int> BacklogAsync(string uri, string queue, int instances, int rounds, double interval)
    {
        await using var impersonator = await Impersonator.CreateAsync(uri);
        var settings = new BrokerSettings { Uri = impersonator.Uri };
        await using var publishing = await AmqpConnector.ConnectAsync(settings.Connection("trove-bench-backlog"));
        await publishing.DeclareAsync([new ExchangeDeclaration(settings.Exchange), .. settings.QueueOnExchange(queue)]);
        var now = HeartbeatArgs.Now();
        var heartbeats = Enumerable.Range(0, rounds * instances)
            .Select(i => Heartbeat(i % instances, now - (rounds - i / instances) * interval)).ToArray();
        // one channel, in order: the queue holds the rounds one after the other, as the guests sent them
        await using var channel = await publishing.OpenChannelAsync(confirms: true);
        var watch = Stopwatch.StartNew();
        await PublishAsync(channel, settings.Exchange, queue, heartbeats);
        Console.WriteLine($"backlog of {heartbeats.Length} heartbeats ({rounds} rounds of {instances} guests, {interval} s apart) published in {watch.Elapsed.TotalSeconds:0.0} s");
        return 0;
    }

    /// <summary>Waits until the queue's ready count is 0 (at most the conductor's prefetch in flight), and says when, also
    /// as a wall-clock time: a caller timing a drain this probe was started on leaves out the probe's own exit.</summary>
    public static async Task<int> DrainedAsync(string uri, string queue)
    {
        await using var connector = await AmqpConnector.ConnectAsync(new AmqpConnectionSettings(uri, "trove-bench-drained"));
        var watch = Stopwatch.StartNew();
        while ((await connector.InspectQueueAsync(queue))?.Messages > 0)
            await Task.Delay(20);
        Console.WriteLine(FormattableString.Invariant(
            $"drained after {watch.Elapsed.TotalSeconds:0.000} s, at {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0:0.000} (unix time)"));
        return 0;
    }

    /// <summary>A heartbeat as the instance's guest sends it: persistent, with the guest's broker user as its user-id.</summary>
    /// <summary><paramref name="messages"/> heartbeats of <paramref name="instances"/> seeded instances, ready to go out on
    /// <see cref="Publishers"/> confirming channels, each waiting for its confirms in turn.</summary>
    private sealed class Publishing(IChannel[] channels, (BasicProperties Properties, byte[] Body)[] heartbeats, string exchange, string queue) : IAsyncDisposable
    {
        public static async Task<Publishing> ReadyAsync(AmqpConnector publishing, BrokerSettings settings, string queue, int instances, int messages)
        {
            await publishing.DeclareAsync([new ExchangeDeclaration(settings.Exchange), .. settings.QueueOnExchange(queue)]);
            var heartbeats = Enumerable.Range(0, messages).Select(i => Heartbeat(i % instances)).ToArray();
            var channels = await Task.WhenAll(Enumerable.Range(0, Publishers).Select(_ => publishing.OpenChannelAsync(confirms: true)));
            return new Publishing(channels, heartbeats, settings.Exchange, queue);
        }

        public Task AllAsync() => Task.WhenAll(channels.Select((channel, c) =>
            PublishAsync(channel, exchange, queue, heartbeats.Where((_, i) => i % Publishers == c).ToArray())));

        /// <summary>Closes the channels (once: a caller may close them before its next phase).</summary>
        public async ValueTask DisposeAsync()
        {
            if (_closed)
                return;
            _closed = true;
            foreach (var channel in channels)
                await channel.DisposeAsync();
        }

        private bool _closed;
    }

    private static (BasicProperties Properties, byte[] Body) Heartbeat(int i, double? sent = null)
    {
        var heartbeat = new HeartbeatArgs(SeededIds.Of(i), new HeartbeatPayload("healthy"), sent ?? HeartbeatArgs.Now());
        return (new BasicProperties { Persistent = true, ContentType = "application/json", UserId = TroveBroker.GuestUser(heartbeat.InstanceId) },
            RpcMessage.Create(GuestMethods.Heartbeat, heartbeat).ToBytes());
    }

    private static async Task PublishAsync(IChannel channel, string exchange, string queue, (BasicProperties Properties, byte[] Body)[] heartbeats)
    {
        for (var start = 0; start < heartbeats.Length; start += PublishWindow)
            await Task.WhenAll(heartbeats.Skip(start).Take(PublishWindow).Select(h =>
                channel.BasicPublishAsync(exchange, queue, false, h.Properties, h.Body).AsTask()));
    }

    /// <summary>A consumer that only acknowledges: every <see cref="AckEvery"/> deliveries at once, and what is left
    /// once the whole load has arrived.</summary>
    private sealed class RawConsumer(IChannel channel)
    {
        private static int _received;
        private static readonly TaskCompletionSource Arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly SemaphoreSlim _acking = new(1, 1);
        private ulong _lastTag;
        private int _unacked;

        public static async Task<RawConsumer> StartAsync(AmqpConnector connector, string queue, int messages)
        {
            var channel = await connector.OpenChannelAsync(confirms: false);
            await channel.BasicQosAsync(0, RawPrefetch, false);
            var raw = new RawConsumer(channel);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += async (_, delivery) =>
            {
                await raw.AckAsync(delivery.DeliveryTag);
                if (Interlocked.Increment(ref _received) == messages)
                    Arrived.TrySetResult();
            };
            await channel.BasicConsumeAsync(queue, autoAck: false, consumer);
            return raw;
        }

        public static async Task DrainedAsync(RawConsumer[] consumers)
        {
            await Arrived.Task;
            foreach (var consumer in consumers)
                await consumer.AckAsync(tag: null);
        }

        /// <summary>Counts a delivery (<paramref name="tag"/>) and acks the batch when it is full; with no tag, acks what is left.</summary>
        private async Task AckAsync(ulong? tag)
        {
            await _acking.WaitAsync();
            try
            {
                if (tag is { } delivered)
                    (_lastTag, _unacked) = (delivered, _unacked + 1);
                if (_unacked >= AckEvery || (tag is null && _unacked > 0))
                {
                    await channel.BasicAckAsync(_lastTag, multiple: true);
                    _unacked = 0;
                }
            }
            finally
            {
                _acking.Release();
            }
        }
    }

    /// <summary>The conductor takes a report only from the named instance's broker user. The load comes from a bench user
    /// the broker lets publish as any user (tag <c>impersonator</c>), so that one connection speaks for every seeded guest
    /// without a broker user for each; it is deleted after the run.</summary>
    private sealed class Impersonator(HttpClient management, string uri) : IAsyncDisposable
    {
        private const string User = "trove-bench";
        public string Uri => uri;

        public static async Task<Impersonator> CreateAsync(string brokerUri)
        {
            var broker = new Uri(brokerUri);
            var management = new HttpClient { BaseAddress = new Uri($"http://{broker.Host}:15672/") };
            management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes(System.Uri.UnescapeDataString(broker.UserInfo is { Length: > 0 } info ? info : "guest:guest"))));
            var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
            (await management.PutAsJsonAsync($"api/users/{User}", new { password, tags = "impersonator" })).EnsureSuccessStatusCode();
            (await management.PutAsJsonAsync($"api/permissions/%2F/{User}", new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
            return new Impersonator(management, new UriBuilder(brokerUri) { UserName = User, Password = password }.Uri.AbsoluteUri);
        }

        public async ValueTask DisposeAsync()
        {
            await management.DeleteAsync($"api/users/{User}");
            management.Dispose();
        }
    }

    public static async Task<int> DropQueueAsync(string uri, string queue)
    {
        await using var connector = await AmqpConnector.ConnectAsync(new AmqpConnectionSettings(uri, "trove-bench-drop"));
        await connector.DeleteQueueAsync(queue);
        return 0;
    }
}
