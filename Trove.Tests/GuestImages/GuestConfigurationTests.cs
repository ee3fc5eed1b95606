using System.Runtime.Versioning;
using Trove.Contracts.Guests;
using Trove.Guest.Agent;

namespace Trove.Tests.GuestImages;

/// <summary>Where the agent takes its guest info from: a file (LocalCompute), a config drive, or the image's file.</summary>
[SupportedOSPlatform("linux")]
public sealed class GuestConfigurationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("guest-configuration-").FullName;
    private static GuestInfo Info => GuestUserDataTests.Info;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Config_reads_the_guest_info_file_LocalCompute_writes()
    {
        var file = Path.Combine(_dir, "guest_info.json");
        File.WriteAllText(file, GuestInfoJson.Serialize(Info));
        Assert.Equal(Info, GuestConfiguration.Load(["--config", file]));
    }

    [Fact]
    public void Config_drive_reads_the_user_data_in_the_OpenStack_layout()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "openstack", "latest"));
        File.WriteAllText(Path.Combine(_dir, "openstack", "latest", "user_data"), GuestUserData.Render(Info));
        Assert.Equal(Info, GuestConfiguration.Load(["--config-drive", _dir]));
    }

    [Theory]
    [InlineData("--config")]
    [InlineData("--config-drive")]
    [InlineData("--verbose")]
    public void Anything_else_is_a_usage_error(string arg)
    {
        var error = Assert.Throws<ArgumentException>(() => GuestConfiguration.Load([arg]));
        Assert.StartsWith("usage: trove-guest", error.Message);
    }
}
