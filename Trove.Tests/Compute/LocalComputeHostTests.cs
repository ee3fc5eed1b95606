using System.Runtime.Versioning;
using Trove.Actors.Compute;
using Trove.Tests.Support;

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

    /// <summary>The engines' system users make the pristine data in its directory (<see cref="PristineData"/>): one set
    /// apart from the servers' must be reachable as well.</summary>
    [Fact]
    public void A_pristine_directory_other_users_cannot_reach_is_refused_at_start_up()
    {
        var open = Support.TroveNode.NewDataDir();
        var closed = Directory.CreateDirectory($"/tmp/tc-{Guid.NewGuid().ToString("N")[..8]}");
        try
        {
            closed.UnixFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
            var settings = new LocalComputeSettings
            {
                ServersDirectory = Path.Combine(open, "servers"),
                BackupDirectory = Path.Combine(open, "backups"),
                PristineDirectory = Path.Combine(closed.FullName, "pristine"),
                GuestCommand = ["/bin/true"],
                AmqpUri = "amqp://127.0.0.1", Exchange = "trove", ConductorQueue = "trove-conductor",
            };

            var error = Assert.Throws<InvalidOperationException>(() => LocalCompute.PrepareHost(settings));
            Assert.Contains($"{closed.FullName} is not searchable by others", error.Message);
        }
        finally
        {
            closed.Delete(recursive: true);
            Directory.Delete(open, recursive: true);
        }
    }

    /// <summary>A copy of the pristine data made ahead is moved into a server's directory by a rename: a pristine directory
    /// on another filesystem than the servers' (here tmpfs) would leave every create to copy, so it is refused.</summary>
    [Fact]
    public void A_pristine_directory_on_another_filesystem_than_the_servers_is_refused_at_start_up()
    {
        var dataDir = Support.TroveNode.NewDataDir();
        var pristine = $"/dev/shm/tp-{Guid.NewGuid().ToString("N")[..8]}";
        try
        {
            var settings = new LocalComputeSettings
            {
                ServersDirectory = Path.Combine(dataDir, "servers"),
                BackupDirectory = Path.Combine(dataDir, "backups"),
                PristineDirectory = pristine,
                GuestCommand = ["/bin/true"],
                AmqpUri = "amqp://127.0.0.1", Exchange = "trove", ConductorQueue = "trove-conductor",
            };

            var error = Assert.Throws<InvalidOperationException>(() => LocalCompute.PrepareHost(settings));
            Assert.Contains($"{pristine} (Trove:Compute:PristineDirectory) is not on the filesystem of", error.Message);
            LocalCompute.PrepareHost(settings with { PristineDirectory = Path.Combine(dataDir, "pristine") });
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
            if (Directory.Exists(pristine))
                Directory.Delete(pristine);
        }
    }

    /// <summary>The servers' directory and the pristine data's are tops of unrelated hierarchies to ext4's inode allocator
    /// (chattr +T): without it, a copy of pristine data made beside deleted instances searched past every inode they had
    /// freed in the last minute, for each of its 1,000 files (LocalCompute.SpreadSubdirectories).</summary>
    [Fact]
    public async Task The_servers_and_pristine_directories_spread_their_subdirectories_over_the_filesystem()
    {
        var dataDir = Support.TroveNode.NewDataDir();
        try
        {
            var settings = new LocalComputeSettings
            {
                ServersDirectory = Path.Combine(dataDir, "servers"),
                BackupDirectory = Path.Combine(dataDir, "backups"),
                PristineDirectory = Path.Combine(dataDir, "pristine"),
                GuestCommand = ["/bin/true"],
                AmqpUri = "amqp://127.0.0.1", Exchange = "trove", ConductorQueue = "trove-conductor",
            };
            Assert.Equal("ext2/ext3", await Tool("stat", "-f", "-c", "%T", dataDir)); // ext4 is named so: the machines this suite runs on

            LocalCompute.PrepareHost(settings);

            foreach (var dir in new[] { settings.ServersDirectory, settings.PristineDirectory })
                Assert.Contains('T', (await Tool("lsattr", "-d", dir)).Split(' ')[0]);
            Assert.DoesNotContain('T', (await Tool("lsattr", "-d", settings.BackupDirectory)).Split(' ')[0]);
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static async Task<string> Tool(string file, params string[] args) => (await Programs.RunCheckedAsync(file, args)).Trim();
}
