using System.Text.Json.Nodes;
using Trove.Actors.Backups;
using Trove.Actors.Compute.OpenStack;

namespace Trove.Tests.OpenStack;

[CollectionDefinition(Name)]
public sealed class SwiftCollection : ICollectionFixture<SwiftSandbox>
{
    public const string Name = "swift-sandbox";
}

/// <summary>The real Swift of scripts/swift-sandbox (proxy with keystoneauth and tempurl, account, container and object
/// servers) in the OpenStack sandbox's Keystone catalog; both are started once for the test run, running ones reused.
/// The control plane's account is the service project's, as user <c>trove</c> (an operator there).</summary>
public sealed class SwiftSandbox : IAsyncLifetime
{
    public static string Script { get; } = Path.Combine(Path.GetDirectoryName(OpenStackSandbox.Script)!, "swift-sandbox");

    /// <summary>The control plane's own cloud user.</summary>
    public static OpenStackSettings Service { get; } = OpenStackSandbox.Settings("trove", "service");

    public KeystoneSession Session { get; private set; } = null!;

    /// <summary>The node settings (environment) that keep backups in this Swift.</summary>
    public static IDictionary<string, string> NodeSettings { get; } = new Dictionary<string, string>
    {
        ["Trove__Backups__Storage"] = "swift",
        ["Trove__OpenStack__AuthUrl"] = Service.AuthUrl,
        ["Trove__OpenStack__Username"] = Service.Username,
        ["Trove__OpenStack__Password"] = Service.Password,
        ["Trove__OpenStack__ProjectName"] = Service.ProjectName,
        ["Trove__OpenStack__Region"] = Service.Region,
        ["Trove__OpenStack__Interface"] = Service.Interface,
    };

    public async Task InitializeAsync()
    {
        await OpenStackSandbox.RunAsync("start", TimeSpan.FromMinutes(10));
        await OpenStackSandbox.RunAsync("start", TimeSpan.FromMinutes(5), Script);
        Session = new KeystoneSession(Service);
    }

    /// <summary>The names of the container's objects (under <paramref name="prefix"/>), as the service account sees them;
    /// none when there is no container.</summary>
    public async Task<IReadOnlyList<string>> ListAsync(string container, string prefix = "")
    {
        try
        {
            using var response = await Session.SendAsync(SwiftBackupStorage.ServiceType, swift =>
                new HttpRequestMessage(HttpMethod.Get, KeystoneSession.Under(swift, $"{container}?format=json&prefix={Uri.EscapeDataString(prefix)}")),
                CancellationToken.None);
            return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray().Select(o => (string)o!["name"]!).Order().ToList();
        }
        catch (CloudFault fault) when (fault.IsNotFound)
        {
            return [];
        }
    }

    /// <summary>Removes a test's container with its objects.</summary>
    public async Task RemoveContainerAsync(string container)
    {
        foreach (var name in await ListAsync(container))
            await DeleteAsync($"{container}/{name}");
        await DeleteAsync(container);
    }

    private async Task DeleteAsync(string path)
    {
        try
        {
            using (await Session.SendAsync(SwiftBackupStorage.ServiceType,
                       swift => new HttpRequestMessage(HttpMethod.Delete, KeystoneSession.Under(swift, path)), CancellationToken.None)) { }
        }
        catch (CloudFault fault) when (fault.IsNotFound) { }
    }

    public Task DisposeAsync()
    {
        Session?.Dispose(); // null when the start failed
        return Task.CompletedTask;
    }
}
