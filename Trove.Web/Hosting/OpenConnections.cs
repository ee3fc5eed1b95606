using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Connections;

namespace Trove.Web.Hosting;

/// <summary>
/// The API's open connections, so that a stopping node closes none that a client is about to send on. Kestrel's stop
/// closes at once every connection that is between requests, a fresh one whose request has not arrived yet included: its
/// client (connected just before the stop, then descheduled, or on the other core) sends into a closed connection and
/// gets a reset or an end without an answer, and cannot tell whether its request was taken. So once the stop has begun
/// every answer says <c>Connection: close</c>, and Kestrel's stop waits until each connection outside a request has had
/// one since (its client then closes it) or has waited long enough: a fresh connection up to
/// <see cref="FirstRequestGrace"/> (Go's http.Server.Shutdown waits 5 s for a new connection's first request), one kept
/// alive between requests up to <see cref="KeepAliveGrace"/>, in which a busy client sends its next request.
/// </summary>
public sealed class OpenConnections
{
    public static readonly TimeSpan FirstRequestGrace = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan KeepAliveGrace = TimeSpan.FromSeconds(1);

    private sealed class Connection
    {
        public volatile bool HadRequest, InRequest, HadRequestSinceStop;
    }

    private readonly ConcurrentDictionary<string, Connection> _open = new();
    private readonly Func<object, Task> _closeWhenStopping;
    private volatile bool _stopping;

    public OpenConnections() => _closeWhenStopping = context =>
    {
        if (_stopping)
            ((HttpContext)context).Response.Headers.Connection = "close";
        return Task.CompletedTask;
    };

    /// <summary>Kestrel's connection middleware (<c>ListenOptions.Use</c>): each connection, from accepted to closed.</summary>
    public async Task TrackAsync(ConnectionContext context, ConnectionDelegate next)
    {
        _open[context.ConnectionId] = new Connection();
        try
        {
            await next(context);
        }
        finally
        {
            _open.TryRemove(context.ConnectionId, out _);
        }
    }

    /// <summary>The first middleware of the pipeline: marks the request's connection, and closes it after a stop's answer.</summary>
    public async Task OnRequestAsync(HttpContext context, RequestDelegate next)
    {
        Connection? connection = null;
        if (context.Connection.Id is { } id && _open.TryGetValue(id, out connection))
        {
            connection.HadRequest = connection.InRequest = true;
            connection.HadRequestSinceStop |= _stopping;
        }
        context.Response.OnStarting(_closeWhenStopping, context);
        try
        {
            await next(context);
        }
        finally
        {
            if (connection is not null)
                connection.InRequest = false;
        }
    }

    /// <summary>From now on every answer closes its connection.</summary>
    public void BeginStop() => _stopping = true;

    /// <summary>Waits (see the class) until Kestrel may close what is left; returns how many connections it closes unused.</summary>
    public int WaitForClients()
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var waiting = _open.Values.Count(c => !c.InRequest && !c.HadRequestSinceStop
                && waited.Elapsed < (c.HadRequest ? KeepAliveGrace : FirstRequestGrace));
            if (waiting == 0)
                return _open.Values.Count(c => !c.InRequest);
            Thread.Sleep(10);
        }
    }
}
