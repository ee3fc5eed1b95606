using Microsoft.Extensions.Logging.Abstractions;
using Trove.Actors.Compute;
using Trove.Tests.Support;

namespace Trove.Tests.Compute;

/// <summary>What a create interrupted by a crash leaves of a local server (an OS user, a directory without guest info)
/// is listed, so that the reconciler can remove it, and a delete removes it.</summary>
public sealed class LocalComputeLeftoversTests
{
    [Fact]
    public async Task A_server_user_without_its_directory_and_a_directory_without_guest_info_are_listed_as_building_and_deleted()
    {
        var dataDir = TroveNode.NewDataDir();
        var settings = new LocalComputeSettings
        {
            ServersDirectory = Path.Combine(dataDir, "servers"),
            BackupDirectory = Path.Combine(dataDir, "backups"),
            GuestCommand = ["dotnet", Path.Combine(dataDir, "guest-agent", "Trove.Guest.dll")],
            AmqpUri = "amqp://127.0.0.1", Exchange = "trove", ConductorQueue = "trove-conductor",
        };
        Directory.CreateDirectory(settings.ServersDirectory);
        var compute = new LocalCompute(settings, NullLogger<LocalCompute>.Instance);
        var userOnly = Guid.NewGuid().ToString();
        var directoryOnly = Guid.NewGuid().ToString();
        try
        {
            // The crash came after the user made ahead (while the instance was journaled), before the creation made the
            // directory; and after the directory, before the guest info.
            await compute.PrepareAheadAsync(new ServerSpec(userOnly, "mariadb", "10.11", 512, 1), CancellationToken.None);
            Assert.NotNull(ServerUsers.IdsOf(ServerUsers.NameOf(userOnly)));
            Directory.CreateDirectory(Path.Combine(settings.ServersDirectory, directoryOnly));

            var listed = await compute.ListServersAsync(CancellationToken.None);
            Assert.Equal(new[] { directoryOnly, userOnly }.Order(), listed.Select(s => s.InstanceId).Order());
            Assert.All(listed, s => Assert.Equal(ServerStatus.Build, s.Server.Status));

            foreach (var server in listed)
                await compute.DeleteServerAsync(server.Server.Id, CancellationToken.None);
            Assert.Empty(await compute.ListServersAsync(CancellationToken.None));
            Assert.Null(ServerUsers.IdsOf(ServerUsers.NameOf(userOnly)));
            Assert.False(Directory.Exists(Path.Combine(settings.ServersDirectory, directoryOnly)));
        }
        finally
        {
            await ServerUsers.RemoveAsync(ServerUsers.NameOf(userOnly), CancellationToken.None);
            Directory.Delete(dataDir, recursive: true);
        }
    }
}
