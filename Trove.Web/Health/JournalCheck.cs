using LinqToDB.Async;
using LinqToDB.Data;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Trove.Actors.Hosting;
using Trove.Actors.Sql;

namespace Trove.Web.Health;

/// <summary>The journal's database answers a trivial query.</summary>
public sealed class JournalCheck(TroveSettings settings) : IHealthCheck
{
    private readonly SqlDatabase _journal = new(settings.DatabaseProvider, settings.JournalConnection);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await using var db = _journal.Open();
            await db.ExecuteAsync<int>("SELECT 1", ct);
            return HealthCheckResult.Healthy("answers");
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            // The message only: a connection string is never part of it, the exception's data might be.
            return HealthCheckResult.Unhealthy("does not answer");
        }
    }
}
