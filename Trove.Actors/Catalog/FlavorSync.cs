using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Trove.Actors.Catalog;

/// <summary>Keeps the served flavors the cloud's: read at start-up (<see cref="Hosting.SqlSetup"/>), then again every
/// <paramref name="interval"/>, so that a flavor an operator adds to or removes from Nova is served without a restart.
/// A cloud that does not answer leaves the flavors as they were until the next time.</summary>
public sealed class FlavorSync(IFlavorSource cloud, CatalogRepository catalog, TimeSpan interval, ILogger<FlavorSync> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await catalog.ReplaceFlavorsAsync(await cloud.FlavorsAsync(stoppingToken), stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                log.LogWarning("the cloud's flavors were not read ({Message}); the served ones stay until the next try in {Interval}",
                    e.GetBaseException().Message, interval);
            }
        }
    }
}
