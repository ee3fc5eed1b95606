using RabbitMQ.Client;

namespace Trove.Amqp;

/// <summary>Something a stage declares on the broker each time it (re)connects, so that what it uses exists again after
/// a broker restart. Declaring what exists unchanged is a no-op on the broker.</summary>
public interface IDeclaration
{
    Task DeclareAsync(IChannel channel, CancellationToken ct);
}

/// <summary>A queue; durable by default, so that it keeps messages for a consumer that has not started yet.</summary>
public sealed record QueueDeclaration(string Name) : IDeclaration
{
    public bool Durable { get; init; } = true;
    public bool Exclusive { get; init; }
    public bool AutoDelete { get; init; }
    public IDictionary<string, object?>? Arguments { get; init; }

    public Task DeclareAsync(IChannel channel, CancellationToken ct) =>
        channel.QueueDeclareAsync(Name, Durable, Exclusive, AutoDelete, Arguments, cancellationToken: ct);
}

/// <summary>An exchange; a durable topic exchange by default.</summary>
public sealed record ExchangeDeclaration(string Name, string Type = ExchangeType.Topic) : IDeclaration
{
    public bool Durable { get; init; } = true;
    public bool AutoDelete { get; init; }

    public Task DeclareAsync(IChannel channel, CancellationToken ct) =>
        channel.ExchangeDeclareAsync(Name, Type, Durable, AutoDelete, cancellationToken: ct);
}

/// <summary>A queue bound to an exchange under a routing key.</summary>
public sealed record BindingDeclaration(string Queue, string Exchange, string RoutingKey) : IDeclaration
{
    public Task DeclareAsync(IChannel channel, CancellationToken ct) =>
        channel.QueueBindAsync(Queue, Exchange, RoutingKey, cancellationToken: ct);
}
