using Trove.Actors.Hosting;
using Trove.Web.Hosting;
using Trove.Web.Logging;
using Trove.Actors.Files;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
var settings = builder.Configuration.LoadTroveSettings();
builder.WebHost.UseUrls($"http://{settings.HttpHost}:{settings.HttpPort}");
var listeners = new ListenerDrain();
builder.WebHost.UseSockets(o => o.CreateBoundListenSocket = listeners.CreateListener);
var connections = new OpenConnections();
builder.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(l => l.Use(next => c => connections.TrackAsync(c, next))));
builder.Logging.AddTroveConsole(settings.Logging);
NodeFiles.Protect(settings.FullDataDir); // the process's umask: this node's files are its own, whatever it makes later
builder.Services.AddTroveNode(settings);
// Room for draining HTTP, then handing shards off and leaving the cluster (see hocon/akka.conf).
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(90));
builder.Services.AddTroveApi(builder.Configuration, settings);

var app = builder.Build();
await app.Services.PrepareTroveDatabaseAsync(Path.Combine(AppContext.BaseDirectory, "hocon", "validation-rules"));
app.Use(connections.OnRequestAsync);
app.UseTroveApi();
app.Lifetime.ApplicationStarted.Register(() =>
    app.Logger.LogInformation("Trove API listening on http://{Host}:{Port}/ (data dir {DataDir})", settings.HttpHost, settings.HttpPort, settings.FullDataDir));
app.Lifetime.ApplicationStopping.Register(() =>
{
    app.Logger.LogInformation("stopping: the API takes no new connections");
    connections.BeginStop();
    listeners.StopTakingConnections(TimeSpan.FromMilliseconds(200));
    var unused = connections.WaitForClients();
    app.Logger.LogInformation("stopping: the queued connections are taken, {Unused} open connections left unused", unused);
});
app.Run();

public partial class Program;
