using Microsoft.Extensions.Diagnostics.HealthChecks;
using RabbitMQ.Client.Exceptions;
using Trove.Actors.Broker;

namespace Trove.Web.Health;

/// <summary>The node's broker connection is open; a closed one is reopened here, so a node that has no consumer to
/// reconnect it (an api-only node) turns ready again once the broker is back.</summary>
public sealed class BrokerCheck(AmqpClients amqp) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        if (!amqp.IsStarted)
            return HealthCheckResult.Unhealthy("not connected yet");
        if (amqp.Connector.IsOpen)
            return HealthCheckResult.Healthy("connected");
        try
        {
            await amqp.Connector.ConnectionAsync(ct);
            return HealthCheckResult.Healthy("reconnected");
        }
        catch (Exception e) when (e is BrokerUnreachableException or OperationCanceledException or OperationInterruptedException)
        {
            return HealthCheckResult.Unhealthy("unreachable");
        }
    }
}
