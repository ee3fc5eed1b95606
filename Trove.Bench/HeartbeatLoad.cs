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

/// <summary>The conductor benchmark's load and its limit: heartbeats published while a node or a bare consumer drains them.</summary>
public static class HeartbeatLoad
{
    /// <summary>
    /// Publishes <paramref name="messages"/> heartbeats as fast as the broker confirms them while a consumer drains the
    /// queue: the node's conductor (already consuming) or, with <paramref name="raw"/>, a bare consumer with the same
    /// prefetch that only acknowledges. Reports messages / (first publish to empty queue).
    /// </summary>
    public static async Task<int> LoadAndDrainAsync(string uri, string queue, int instances, int messages, bool raw)
    {
        await using var impersonator = await Impersonator.CreateAsync(uri);
        var settings = new BrokerSettings { Uri = impersonator.Uri };
        await using var connector = await AmqpConnector.ConnectAsync(settings.Connection("trove-bench-load"));
        await connector.DeclareAsync([new ExchangeDeclaration(settings.Exchange), .. settings.QueueOnExchange(queue)]);
        await using var publisher = await connector.OpenChannelAsync(confirms: true);
        await using var channel = await connector.OpenChannelAsync(confirms: false);
        var acked = 0;
        var drained = new TaskCompletionSource();
        if (raw)
        {
            await channel.BasicQosAsync(0, settings.Prefetch, false);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += async (_, delivery) =>
            {
                await channel.BasicAckAsync(delivery.DeliveryTag, false);
                if (Interlocked.Increment(ref acked) == messages)
                    drained.TrySetResult();
            };
            await channel.BasicConsumeAsync(queue, autoAck: false, consumer);
        }
        var watch = Stopwatch.StartNew();
        const int window = 1000;
        for (var start = 0; start < messages; start += window)
            await Task.WhenAll(Enumerable.Range(start, Math.Min(window, messages - start)).Select(i => PublishAsGuestAsync(publisher, settings, queue,
                new HeartbeatArgs(SeededIds.Of(i % instances), new HeartbeatPayload("healthy"), HeartbeatArgs.Now()))));
        var published = watch.Elapsed;
        if (raw)
            await drained.Task;
        else
            while ((await connector.InspectQueueAsync(queue))?.Messages > 0)
                await Task.Delay(5);
        Console.WriteLine($"published in {published.TotalSeconds:0.000} s; drained {messages} messages in {watch.Elapsed.TotalSeconds:0.000} s: {messages / watch.Elapsed.TotalSeconds:0} msg/s");
        return 0;
    }

    /// <summary>A heartbeat as the instance's guest sends it: persistent, confirmed, with the guest's broker user as its user-id.</summary>
    private static Task PublishAsGuestAsync(IChannel channel, BrokerSettings settings, string queue, HeartbeatArgs heartbeat) =>
        channel.BasicPublishAsync(settings.Exchange, queue, false,
            new BasicProperties { Persistent = true, ContentType = "application/json", UserId = TroveBroker.GuestUser(heartbeat.InstanceId) },
            RpcMessage.Create(GuestMethods.Heartbeat, heartbeat).ToBytes()).AsTask();

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
