using System.Runtime.Versioning;
using Trove.Actors.Admin;
using Trove.Contracts.Admin;

namespace Trove.Tests.Cluster;

[SupportedOSPlatform("linux")] // as the node is
public sealed class AdminAccessTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("trove-admin-token-").FullName;

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);

    [Fact]
    public void Every_caller_needs_the_token_and_without_one_nobody_gets_in()
    {
        Assert.False(AdminServer.Allows(new AdminSettings(), null));
        Assert.False(AdminServer.Allows(new AdminSettings(), "anything"));
        Assert.False(AdminServer.Allows(new AdminSettings { Token = "s3cret" }, null));
        Assert.False(AdminServer.Allows(new AdminSettings { Token = "s3cret" }, "wrong"));
        Assert.True(AdminServer.Allows(new AdminSettings { Token = "s3cret" }, "s3cret"));
    }

    [Fact]
    public void A_node_without_a_configured_token_makes_one_only_its_user_reads_and_keeps_it()
    {
        var token = NodeAdminToken.LoadOrCreate(new AdminSettings(), _dataDir);
        var file = Path.Combine(_dataDir, AdminToken.FileName);

        Assert.True(Convert.FromBase64String(token).Length >= 32);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(token, NodeAdminToken.LoadOrCreate(new AdminSettings(), _dataDir));

        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        Assert.Equal(token, NodeAdminToken.LoadOrCreate(new AdminSettings(), _dataDir));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));

        Assert.Equal("configured", NodeAdminToken.LoadOrCreate(new AdminSettings { Token = "configured" }, _dataDir));
    }
}
