using System.Text.Json;
using Trove.Tests.Support;

namespace Trove.Tests.Architecture;

/// <summary>The runtime settings the node and the guest agent are built with, as MSBuild evaluates their projects.</summary>
public sealed class RuntimeSettingsTests
{
    private const string CallCountingDelay = "System.Runtime.TieredCompilation.CallCountingDelayMs";
    private const string CallCountThreshold = "System.Runtime.TieredCompilation.CallCountThreshold";

    /// <summary>
    /// The guest, when a node is published with <c>-p:GuestAgentNativeAot=false</c>, is published ReadyToRun (by default
    /// it is Native AOT, and compiles nothing at run time): tiering compiles what ReadyToRun left out quickly on a claim's
    /// first calls, and compiles hot methods again only once the guest has compiled nothing new for 30 s, not while a
    /// burst of claims runs on every guest at once.
    /// The node published ReadyToRun compiles a method again only after 200 calls: what a create runs a few times is
    /// not compiled again on the cores its engine starts on.
    /// Built for the tests without ReadyToRun, each tiers up as any program does. Tiering itself stays on in every build.
    /// </summary>
    [Theory]
    [InlineData("Trove.Guest", "true", CallCountingDelay, "30000")]
    [InlineData("Trove.Guest", "false", CallCountingDelay, null)]
    [InlineData("Trove.Web", "true", CallCountThreshold, "200")]
    [InlineData("Trove.Web", "false", CallCountThreshold, null)]
    public async Task Tiering_is_tuned_only_where_the_code_is_precompiled(string project, string readyToRun, string option, string? value)
    {
        var output = await Programs.RunCheckedAsync("dotnet",
            ["msbuild", Path.Combine(Checkout.Root, project, project + ".csproj"), "-getProperty:TieredCompilation",
                "-getItem:RuntimeHostConfigurationOption", $"-p:PublishReadyToRun={readyToRun}", "-nologo"],
            TimeSpan.FromMinutes(2));
        using var evaluated = JsonDocument.Parse(output);
        Assert.Equal("", evaluated.RootElement.GetProperty("Properties").GetProperty("TieredCompilation").GetString());
        var options = evaluated.RootElement.GetProperty("Items").TryGetProperty("RuntimeHostConfigurationOption", out var items)
            ? items.EnumerateArray().ToList()
            : [];
        Assert.Equal(value, options.Where(o => o.GetProperty("Identity").GetString() == option)
            .Select(o => o.GetProperty("Value").GetString()).SingleOrDefault());
    }
}
