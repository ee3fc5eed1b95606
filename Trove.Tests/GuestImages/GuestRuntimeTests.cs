using Trove.Tests.Support;

namespace Trove.Tests.GuestImages;

/// <summary>The runtime settings the guest agent is built with.</summary>
public sealed class GuestRuntimeTests
{
    private static readonly string Project = Path.Combine(Checkout.Root, "Trove.Guest", "Trove.Guest.csproj");

    /// <summary>A published node (scripts/run, scripts/bench) publishes its guest ReadyToRun; built for the tests, the
    /// guest is not, and tiering compiles it quickly at first and well where it runs hot.</summary>
    [Theory]
    [InlineData("true", "false")]
    [InlineData("false", "")]
    public async Task A_guest_published_ReadyToRun_does_not_compile_its_code_again_at_run_time(string readyToRun, string tieredCompilation)
    {
        var property = await Programs.RunCheckedAsync("dotnet",
            ["msbuild", Project, "-getProperty:TieredCompilation", $"-p:PublishReadyToRun={readyToRun}", "-nologo"], TimeSpan.FromMinutes(2));
        Assert.Equal(tieredCompilation, property.Trim());
    }
}
