using System.Runtime.Versioning;
using Trove.Actors.Compute;

namespace Trove.Tests.Compute;

/// <summary>The host checks LocalCompute makes when a node starts.</summary>
[SupportedOSPlatform("linux")]
public sealed class LocalComputeHostTests
{
    [Fact]
    public void A_servers_directory_other_users_cannot_reach_is_refused_at_start_up_with_the_directory_in_the_way()
    {
        var closed = Directory.CreateDirectory($"/tmp/tc-{Guid.NewGuid().ToString("N")[..8]}");
        try
        {
            closed.UnixFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute; // as /root is
            var settings = new LocalComputeSettings
            {
                ServersDirectory = Path.Combine(closed.FullName, "data", "servers"),
                BackupDirectory = Path.Combine(closed.FullName, "data", "backups"),
                GuestCommand = ["dotnet", Path.Combine(closed.FullName, "data", "guest-agent", "Trove.Guest.dll")],
                AmqpUri = "amqp://127.0.0.1", Exchange = "trove", ConductorQueue = "trove-conductor",
            };

            var error = Assert.Throws<InvalidOperationException>(() => LocalCompute.PrepareHost(settings));
            Assert.Contains($"{closed.FullName} is not searchable by others", error.Message);
        }
        finally
        {
            closed.Delete(recursive: true);
        }
    }
}
