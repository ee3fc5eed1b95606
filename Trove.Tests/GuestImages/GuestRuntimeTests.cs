using System.Text.Json;
using Trove.Tests.Support;

namespace Trove.Tests.GuestImages;

/// <summary>The runtime settings the guest agent is built with.</summary>
public sealed class GuestRuntimeTests
{
    private static readonly string Project = Path.Combine(Checkout.Root, "Trove.Guest", "Trove.Guest.csproj");
    private const string CallCountingDelay = "System.Runtime.TieredCompilation.CallCountingDelayMs";

    /// <summary>A node published with <c>-p:GuestAgentNativeAot=false</c> publishes its guest ReadyToRun (by default it is
    /// Native AOT, and compiles nothing at run time): tiering compiles what
    /// ReadyToRun left out quickly on a claim's first calls, and compiles hot methods again only once the guest has
    /// compiled nothing new for 30 s, not while a burst of claims runs on every guest at once. Built for the tests, the
    /// guest is not ReadyToRun and tiers up as any program does.</summary>
    [Theory]
    [InlineData("true", "30000")]
    [InlineData("false", null)]
    public async Task A_guest_published_ReadyToRun_compiles_quickly_and_compiles_again_only_once_quiet(string readyToRun, string? delayMs)
    {
        var output = await Programs.RunCheckedAsync("dotnet",
            ["msbuild", Project, "-getProperty:TieredCompilation", "-getItem:RuntimeHostConfigurationOption", $"-p:PublishReadyToRun={readyToRun}", "-nologo"],
            TimeSpan.FromMinutes(2));
        using var evaluated = JsonDocument.Parse(output);
        Assert.Equal("", evaluated.RootElement.GetProperty("Properties").GetProperty("TieredCompilation").GetString());
        var delay = evaluated.RootElement.GetProperty("Items").GetProperty("RuntimeHostConfigurationOption").EnumerateArray()
            .Where(option => option.GetProperty("Identity").GetString() == CallCountingDelay)
            .Select(option => option.GetProperty("Value").GetString()).SingleOrDefault();
        Assert.Equal(delayMs, delay);
    }
}
