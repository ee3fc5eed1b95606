using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Trove.Actors.Hosting;
using Trove.Tests.Support;

namespace Trove.Tests.Hosting;

/// <summary>The node's journal as hocon/akka.conf and the journal's wiring make it, loaded in a real actor system.</summary>
public sealed class JournalSettingsTests
{
    [Fact]
    public async Task A_journal_write_may_take_as_long_as_an_ask_before_its_persist_fails()
    {
        var dataDir = TroveNode.NewDataDir();
        var settings = new TroveSettings { DataDir = dataDir };
        using var host = new HostBuilder().ConfigureServices(services => services.AddAkka("journal-settings", (builder, _) => builder
            .AddHoconFile(Path.Combine(AppContext.BaseDirectory, "hocon", "akka.conf"), HoconAddMode.Prepend)
            .WithTroveJournal(settings))).Build();
        await host.StartAsync();
        try
        {
            var system = host.Services.GetRequiredService<ActorSystem>();
            Persistence.Instance.Apply(system).JournalFor(null); // the plugin loaded, its own defaults in the config
            var config = system.Settings.Config;
            Assert.Equal(TimeSpan.FromSeconds(30), config.GetTimeSpan("akka.persistence.journal.sql.circuit-breaker.call-timeout"));
            Assert.Equal(TimeSpan.FromSeconds(30), config.GetTimeSpan("akka.persistence.snapshot-store.sql.circuit-breaker.call-timeout"));
            Assert.Equal(config.GetTimeSpan("akka.actor.ask-timeout"), config.GetTimeSpan("akka.persistence.journal.sql.circuit-breaker.call-timeout"));
        }
        finally
        {
            await host.StopAsync();
            Directory.Delete(dataDir, recursive: true);
        }
    }
}
