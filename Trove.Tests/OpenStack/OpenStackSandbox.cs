using System.Diagnostics;
using System.Text.RegularExpressions;
using Trove.Actors.Compute.OpenStack;
using Trove.Tests.Support;

namespace Trove.Tests.OpenStack;

[CollectionDefinition(Name)]
public sealed class OpenStackCollection : ICollectionFixture<OpenStackSandbox>
{
    public const string Name = "openstack-sandbox";
}

/// <summary>The real OpenStack of scripts/openstack-sandbox (Keystone, Nova with its fake virt driver, Cinder with its
/// fake volume driver), started once for the test run; a running one is reused. Other test runs may use it at the
/// same time: tests name their servers and volumes uniquely and look only at their own.</summary>
public sealed partial class OpenStackSandbox : IAsyncLifetime
{
    public static string Script { get; } = Path.Combine(Checkout.Root, "scripts", "openstack-sandbox");

    /// <summary>The sandbox's tenant user (member of project <c>demo</c>).</summary>
    public OpenStackSettings Demo { get; } = Settings("demo", "demo");

    /// <summary>The cloud's administrator (project <c>admin</c>).</summary>
    public OpenStackSettings Admin { get; } = Settings("admin", "admin");

    public KeystoneSession AdminSession { get; private set; } = null!;

    public static OpenStackSettings Settings(string user, string project) => new()
    {
        AuthUrl = "http://127.0.0.1:5000/v3", Username = user, Password = "sandbox", ProjectName = project,
        Region = "RegionOne", Interface = "public", CallTimeout = TimeSpan.FromSeconds(20),
    };

    public async Task InitializeAsync()
    {
        await RunAsync("start", TimeSpan.FromMinutes(10));
        AdminSession = new KeystoneSession(Admin);
    }

    public Task DisposeAsync()
    {
        AdminSession?.Dispose(); // null when the start failed
        return Task.CompletedTask;
    }

    /// <summary>Runs scripts/openstack-sandbox (or another sandbox <paramref name="script"/>) with the verb; throws with its
    /// output if it fails. One at a time: the collections that start the sandbox run in parallel.</summary>
    public static async Task RunAsync(string verb, TimeSpan timeout, string? script = null)
    {
        await OneAtATime.WaitAsync();
        try
        {
            await RunOnceAsync(verb, timeout, script ?? Script);
        }
        finally
        {
            OneAtATime.Release();
        }
    }

    private static readonly SemaphoreSlim OneAtATime = new(1, 1);

    private static async Task RunOnceAsync(string verb, TimeSpan timeout, string script)
    {
        var ran = await Programs.RunAsync(new ProcessStartInfo(script, verb), timeout);
        var printed = $"{ran.Output}{ran.Errors}";
        if (ran.TimedOut)
            throw new TimeoutException($"{script} {verb} took longer than {timeout}: {printed}{LogsNamedIn(printed)}");
        if (ran.ExitCode != 0)
            throw new InvalidOperationException($"{script} {verb} failed ({ran.ExitCode}): {printed}{LogsNamedIn(printed)}");
    }

    /// <summary>The end of each log the script's error names ("see /tmp/os-sandbox/log/x.log"): on CI, the machine and its
    /// logs are gone once the run ends.</summary>
    private static string LogsNamedIn(string printed) =>
        string.Concat(NamedLog().Matches(printed).Select(m => m.Groups[1].Value).Distinct().Where(File.Exists)
            .Select(log => $"\n--- the end of {log}:\n{string.Join('\n', File.ReadLines(log).TakeLast(40))}"));

    [GeneratedRegex(@"see (/\S+\.log)")]
    private static partial Regex NamedLog();

}
