using System.Threading.Channels;
using Akka;
using Akka.Streams.Dsl;
using Akka.Util;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Trove.Amqp;

/// <summary>A delivered message. It stays unacknowledged (and is redelivered if this process dies) until
/// whoever handled it calls <see cref="AckAsync"/>. <see cref="UserId"/> is the publisher's broker user when it said
/// so; the broker refuses a <c>user-id</c> other than the publisher's own.</summary>
public sealed record AmqpIncoming(byte[] Body, string? CorrelationId, string? ReplyTo, bool Redelivered, Func<Task> AckAsync, Func<Task> RejectAsync,
    string? UserId = null);

/// <summary>An Akka Streams source consuming one queue with a bounded prefetch.</summary>
public static class AmqpSource
{
    public static Source<AmqpIncoming, NotUsed> Create(AmqpConnector connector, string queue, ushort? prefetch = null) =>
        Source.UnfoldResourceAsync<AmqpIncoming, QueueConsumer>(
            () => QueueConsumer.StartAsync(connector, queue, prefetch ?? connector.Settings.Prefetch),
            consumer => consumer.NextAsync(),
            consumer => consumer.StopAsync());

    private sealed class QueueConsumer
    {
        private readonly IChannel _channel;
        private readonly Channel<AmqpIncoming> _buffer;
        private readonly CancellationTokenSource _stopping = new();

        private QueueConsumer(IChannel channel, int capacity)
        {
            _channel = channel;
            _buffer = Channel.CreateBounded<AmqpIncoming>(capacity);
        }

        public static async Task<QueueConsumer> StartAsync(AmqpConnector connector, string queue, ushort prefetch)
        {
            if (connector.Settings.DeclaresTopology)
                await connector.DeclareQueueAsync(queue);
            var channel = await connector.OpenChannelAsync(confirms: false);
            await channel.BasicQosAsync(0, prefetch, false);
            var consumer = new QueueConsumer(channel, prefetch);
            var basic = new AsyncEventingBasicConsumer(channel);
            basic.ReceivedAsync += consumer.OnReceivedAsync;
            await channel.BasicConsumeAsync(queue, autoAck: false, basic);
            return consumer;
        }

        private async Task OnReceivedAsync(object sender, BasicDeliverEventArgs delivery)
        {
            var tag = delivery.DeliveryTag;
            var message = new AmqpIncoming(
                delivery.Body.ToArray(),
                delivery.BasicProperties.CorrelationId,
                delivery.BasicProperties.ReplyTo,
                delivery.Redelivered,
                () => _channel.BasicAckAsync(tag, false).AsTask(),
                () => _channel.BasicRejectAsync(tag, requeue: false).AsTask(),
                delivery.BasicProperties.UserId);
            try
            {
                await _buffer.Writer.WriteAsync(message, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                // the stream stopped: the message is requeued when the channel closes
            }
        }

        public async Task<Option<AmqpIncoming>> NextAsync()
        {
            try
            {
                return await _buffer.Reader.ReadAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
            {
                return Option<AmqpIncoming>.None;
            }
        }

        public async Task<Done> StopAsync()
        {
            _stopping.Cancel();
            _buffer.Writer.TryComplete();
            try { await _channel.CloseAsync(); } catch (Exception) { /* connection already gone */ }
            _channel.Dispose();
            return Done.Instance;
        }
    }
}
