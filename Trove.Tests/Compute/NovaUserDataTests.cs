using Trove.Actors.Compute;
using Trove.Actors.Compute.OpenStack;
using Trove.Actors.WalArchive;

namespace Trove.Tests.Compute;

/// <summary>A cloud server's guest archives its PostgreSQL WAL through the URL its instance grants (backups of cloud
/// servers are in object storage), unless the version's archive is off; MariaDB archives nothing.</summary>
public sealed class NovaUserDataTests
{
    private static readonly NovaUserData UserData = new("amqp://broker:5672", "trove", "trove-conductor", 10)
    {
        WalArchive = new WalArchiveSettings { Granted = true, Off = ["postgresql:14"] },
    };

    private static ServerSpec Spec(string datastore, string version) =>
        new(Guid.NewGuid().ToString(), datastore, version, 512, 1) { Broker = new("guest", "pw") };

    [Theory]
    [InlineData("postgresql", "15", true)]
    [InlineData("postgresql", "14", false)]
    [InlineData("mariadb", "10.11", false)]
    public void The_guest_info_says_whether_the_guest_archives_through_a_grant(string datastore, string version, bool archives) =>
        Assert.Equal(archives, UserData.InfoOf(Spec(datastore, version)).WalArchiveGranted);
}
