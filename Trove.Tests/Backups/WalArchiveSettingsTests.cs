using Microsoft.Extensions.Configuration;
using Trove.Web.Hosting;

namespace Trove.Tests.Backups;

public sealed class WalArchiveSettingsTests
{
    [Fact]
    public void Instances_with_point_in_time_recovery_archive_their_wal_but_for_the_versions_turned_off()
    {
        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Trove:Backups:WalArchive:Off:0"] = "postgresql:15",
        }).Build().LoadTroveSettings().Backups.WalArchive;

        Assert.False(settings.Archives("postgresql", "15"));
        Assert.True(settings.Archives("postgresql", "16"));
        Assert.False(settings.Archives("mariadb", "10.11")); // no binary log archive (yet)
        Assert.True(new ConfigurationBuilder().Build().LoadTroveSettings().Backups.WalArchive.Archives("postgresql", "15"));
    }
}
