using System.Net;
using Trove.Actors.Admin;

namespace Trove.Tests.Cluster;

public sealed class AdminAccessTests
{
    [Fact]
    public void Loopback_callers_need_no_token()
    {
        Assert.True(AdminServer.Allows(new AdminSettings(), IPAddress.Loopback, null));
        Assert.True(AdminServer.Allows(new AdminSettings { Token = "t" }, IPAddress.IPv6Loopback, null));
    }

    [Fact]
    public void Remote_callers_are_refused_without_a_configured_token_and_need_the_right_one_otherwise()
    {
        var remote = IPAddress.Parse("10.1.2.3");
        Assert.False(AdminServer.Allows(new AdminSettings(), remote, "anything"));
        Assert.False(AdminServer.Allows(new AdminSettings { Token = "s3cret" }, remote, null));
        Assert.False(AdminServer.Allows(new AdminSettings { Token = "s3cret" }, remote, "wrong"));
        Assert.True(AdminServer.Allows(new AdminSettings { Token = "s3cret" }, remote, "s3cret"));
    }
}
