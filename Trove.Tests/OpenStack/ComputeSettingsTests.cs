using Microsoft.Extensions.Configuration;
using Trove.Actors.Hosting;
using Trove.Web.Hosting;

namespace Trove.Tests.OpenStack;

public sealed class ComputeSettingsTests
{
    [Fact]
    public void The_nova_driver_and_its_cloud_are_read_from_the_Trove_section()
    {
        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Trove:Compute:Driver"] = "nova",
            ["Trove:Compute:Nova:Images:postgresql:15"] = "trove-postgresql-15",
            ["Trove:Compute:Nova:DefaultImage"] = "trove-guest",
            ["Trove:Compute:Nova:Networks:0"] = "net-1",
            ["Trove:Compute:Nova:Volumes"] = "true",
            ["Trove:Compute:Nova:BuildTimeout"] = "00:05:00",
            ["Trove:OpenStack:AuthUrl"] = "https://keystone.example:5000/v3",
            ["Trove:OpenStack:Username"] = "trove",
            ["Trove:OpenStack:Password"] = "s3cret-password",
            ["Trove:OpenStack:ProjectName"] = "service",
            ["Trove:OpenStack:Interface"] = "internal",
        }).Build().LoadTroveSettings();

        Assert.Equal(ComputeSettings.NovaDriver, settings.Compute.Driver);
        var nova = settings.Compute.Nova;
        Assert.Equal("trove-postgresql-15", nova.ImageOf("postgresql", "15"));
        Assert.Equal("trove-guest", nova.ImageOf("mariadb", "10.11"));
        Assert.Equal(["net-1"], nova.Networks);
        Assert.Equal((true, TimeSpan.FromMinutes(5)), (nova.Volumes, nova.BuildTimeout));
        Assert.Equal(("trove", "service", "internal"), (settings.OpenStack.Username, settings.OpenStack.ProjectName, settings.OpenStack.Interface));
        Assert.DoesNotContain("s3cret-password", settings.ToString());
    }

    [Fact]
    public void The_local_driver_is_the_default_and_a_version_without_an_image_is_refused_by_name()
    {
        var settings = new ConfigurationBuilder().Build().LoadTroveSettings();

        Assert.Equal(ComputeSettings.LocalDriver, settings.Compute.Driver);
        var missing = Assert.Throws<InvalidOperationException>(() => settings.Compute.Nova.ImageOf("postgresql", "15"));
        Assert.Contains("Trove:Compute:Nova:Images:postgresql:15", missing.Message);
    }
}
