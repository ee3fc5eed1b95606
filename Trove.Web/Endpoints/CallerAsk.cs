using Trove.Actors.Serialization;
using System.Diagnostics;
using Akka.Actor;
using Trove.Actors.Sharding;
using Trove.Actors.Telemetry;
using Trove.Web.Auth;

namespace Trove.Web.Endpoints;

/// <summary>
/// The one way a request asks an entity: the command goes in an <see cref="Asked"/> envelope with the request's caller
/// (whose user id the entity writes into the events the command causes) and, while tracing is on, the request's trace.
/// </summary>
public static class CallerAsk
{
    /// <summary>The request this ask runs in (ASP.NET Core's accessor: registered by <see cref="AddCallerAsk"/>).</summary>
    private static readonly HttpContextAccessor Requests = new();

    public static IServiceCollection AddCallerAsk(this IServiceCollection services) => services.AddHttpContextAccessor();

    public static async Task<T> AskAsCallerAsync<T>(this IActorRef region, object command, TimeSpan timeout)
    {
        using var activity = TroveTracing.Child($"ask {command.GetType().Name}", ActivityKind.Client);
        var request = Requests.HttpContext;
        var message = request is null
            ? command
            : ClusterReleases.Envelope(request.RequestServices.GetRequiredService<ActorSystem>(), command, request.CallerOrNull()?.UserId, activity?.Id);
        return await region.AskEntityAsync<T>(message, timeout);
    }
}
