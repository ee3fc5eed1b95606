using Akka;
using Akka.Streams.Dsl;

namespace Trove.Amqp;

/// <summary>What a publishing stage declares before its first message, and how many publishes await confirms at once.</summary>
public sealed record AmqpSinkSettings
{
    public IReadOnlyList<IDeclaration> Declarations { get; init; } = [];
    public int Parallelism { get; init; } = 8;
}

/// <summary>Publishing stages with publisher confirms.</summary>
public static class AmqpSink
{
    /// <summary>Each element is published and confirmed before it counts as done; a nack or a broker error fails the
    /// sink (wrap it in a restart to carry on).</summary>
    public static Sink<OutgoingMessage, Task<Done>> Create(AmqpPublisher publisher, AmqpSinkSettings? settings = null) =>
        Flow.Create<OutgoingMessage>()
            .Select(m => (m, NotUsed.Instance))
            .Via(AmqpFlow.WithConfirm<NotUsed>(publisher, settings))
            .Select(result => result.Confirmed ? Done.Instance : throw new AmqpPublishRefusedException(result.Message, returned: false))
            .ToMaterialized(Sink.Ignore<Done>(), Keep.Right);
}

/// <summary>The outcome of one publish: confirmed, or refused by the broker, with what the element carried along.</summary>
public sealed record WriteResult<TPass>(OutgoingMessage Message, bool Confirmed, TPass PassThrough);

public static class AmqpFlow
{
    /// <summary>
    /// Publishes each message and emits, in order, whether the broker confirmed it: a nack is an element
    /// (<see cref="WriteResult{TPass}.Confirmed"/> false), a broker error fails the flow, since whether the message
    /// arrived is then unknown. The settings' declarations are made once per materialization, before the first publish.
    /// </summary>
    public static Flow<(OutgoingMessage Message, TPass PassThrough), WriteResult<TPass>, NotUsed> WithConfirm<TPass>(
        AmqpPublisher publisher, AmqpSinkSettings? settings = null)
    {
        settings ??= new AmqpSinkSettings();
        return Flow.Create<(OutgoingMessage Message, TPass PassThrough)>()
            .StatefulSelectMany<(OutgoingMessage Message, TPass PassThrough), (OutgoingMessage Message, TPass PassThrough), (OutgoingMessage, TPass, Lazy<Task>), NotUsed>(() =>
            {
                var declared = new Lazy<Task>(() => settings.Declarations.Count > 0
                    ? publisher.Connector.DeclareAsync(settings.Declarations)
                    : Task.CompletedTask);
                return element => [(element.Message, element.PassThrough, declared)];
            })
            .SelectAsync(settings.Parallelism, async element =>
            {
                var (message, pass, declared) = element;
                await declared.Value;
                try
                {
                    await publisher.PublishAsync(message);
                    return new WriteResult<TPass>(message, true, pass);
                }
                catch (AmqpPublishRefusedException)
                {
                    return new WriteResult<TPass>(message, false, pass);
                }
            });
    }
}
