using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Trove.Guest.Agent;
using Trove.Contracts.Guests;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

// A guest agent: started by the compute driver with the path of its guest_info.json, or on a server image by its
// systemd unit, with the guest info cloud-init or a config drive gave it.
if (args.Contains("--help"))
{
    Console.WriteLine(GuestConfiguration.Usage);
    return 0;
}
GuestInfo info;
try
{
    info = GuestConfiguration.Load(args);
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException or FormatException or System.Text.Json.JsonException)
{
    Console.Error.WriteLine($"trove-guest: {e.Message}");
    return 2;
}
// On an image, a fixed path the first start makes; searchable, as the engine's user reaches its data under it.
if (!Directory.Exists(info.Directory))
    Directory.CreateDirectory(info.Directory, GuestConfiguration.DirectoryMode);

// Without the defaults: the guest info is its configuration, so no configuration files, and no watcher of them over the
// content root (the server's directory, where the engine's data is); only the environment, for logging.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
builder.Configuration.AddEnvironmentVariables();
builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
// A call that came in a trace (its traceparent header) is handled in it: each line logged meanwhile names its trace id.
builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.IncludeScopes = true; o.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff "; })
    .Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
builder.Services.AddSingleton(info);
builder.Services.AddDatastoreManager(info);
builder.Services.AddSingleton<GuestDispatcher>();
builder.Services.AddSingleton(new GuestBackupFiles(info.BackupDirectory, info.Directory));
builder.Services.AddSingleton<BackupRunner>();
builder.Services.AddSingleton<EngineWatchdog>();
builder.Services.AddHostedService<GuestAgent>();
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(60));
await builder.Build().RunAsync();
return 0;
