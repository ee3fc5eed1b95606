using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Trove.Amqp;
using Trove.Contracts.Guests;
using Trove.Guest.Datastores;
using Trove.Tests.Support;

namespace Trove.Tests.GuestImages;

/// <summary>The guest as an image carries it: scripts/publish-guest's single file, started from a config drive made of
/// the user data a cloud server gets, with no .NET to run on, serving its queue on the real broker.</summary>
[Collection(PublishedGuest.Collection)]
[SupportedOSPlatform("linux")]
public sealed class PublishedGuestTests(PublishedGuest published) : IAsyncLifetime
{
    private TestBroker _broker = null!;
    private readonly string _vm = Path.Combine(Path.GetTempPath(), $"tvm-{Guid.NewGuid():N}"[..12]);

    public async Task InitializeAsync()
    {
        _broker = await TestBroker.StartAsync();
        Directory.CreateDirectory(_vm);
    }

    public async Task DisposeAsync()
    {
        await EngineProcesses.KillLeftoversAsync(_vm, NullLogger.Instance, CancellationToken.None); // of a failed test
        Directory.Delete(_vm, recursive: true);
        await _broker.DisposeAsync();
    }

    [Fact]
    public void The_image_folder_holds_the_executable_its_unit_and_the_readme_and_no_dotnet_files()
    {
        Assert.Equal(["README.md", "trove-guest", "trove-guest.service"],
            Directory.GetFiles(published.Directory).Select(Path.GetFileName).Order());
        Assert.True(File.GetUnixFileMode(published.Executable).HasFlag(UnixFileMode.UserExecute));
        var unit = File.ReadAllText(published.Unit);
        Assert.Contains("ExecStart=/usr/local/bin/trove-guest\n", unit);
        Assert.Contains("Restart=always\n", unit);
        Assert.Contains("StateDirectory=trove-guest\n", unit); // GuestImage.ServerDirectory
        Assert.Contains("scripts/publish-guest", File.ReadAllText(Path.Combine(published.Directory, "README.md")));
    }

    [Fact]
    public async Task Started_from_a_config_drive_it_makes_its_directory_and_answers_rpc_ping_without_dotnet()
    {
        var (id, credentials) = await _broker.NewGuestAsync();
        var directory = Path.Combine(_vm, "var-lib-trove-guest"); // GuestImage.ServerDirectory on a VM; not there yet
        var info = new GuestInfo(id, "postgresql", "15", 5432, directory, credentials.UriOn(_broker.Settings.Uri),
            _broker.Settings.Exchange, _broker.Settings.ConductorQueue, 60, Path.Combine(_vm, "backups"), 1, 512, "127.0.0.1");
        var drive = Path.Combine(_vm, "config-drive");
        Directory.CreateDirectory(Path.GetDirectoryName(GuestImage.ConfigDriveUserData(drive))!);
        await File.WriteAllTextAsync(GuestImage.ConfigDriveUserData(drive), GuestUserData.Render(info));

        await using var guest = published.Start(Path.Combine(_vm, "guest.log"), "--config-drive", drive);
        await using var publisher = new AmqpPublisher(_broker.Node);
        await using var rpc = await AmqpRpcClient.CreateAsync(_broker.Node, publisher,
            new AmqpRpcSettings(_broker.Settings.ReplyExchange, TroveBroker.NewReplyQueue()), NullLogger.Instance);
        IncomingMessage reply;
        try
        {
            reply = await rpc.CallAsync(_broker.To(TroveBroker.GuestQueue(id), RpcMessage.Create(GuestMethods.RpcPing, new { })),
                TimeSpan.FromSeconds(60), TroveBroker.GuestUser(id));
        }
        catch (TimeoutException)
        {
            Assert.Fail($"the published guest did not answer rpc_ping; its log:\n{await File.ReadAllTextAsync(guest.Log)}");
            throw;
        }
        Assert.Equal(JsonValue.Create(true).ToJsonString(), RpcReply.Parse(reply.Body).Result?.ToJsonString());

        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(directory) & (UnixFileMode)0b111_111_111);
        var dotnet = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", ".."));
        var maps = await File.ReadAllTextAsync($"/proc/{guest.Process.Id}/maps");
        Assert.DoesNotContain(dotnet, maps); // the runtime it runs on is its own, inside the single file
        Assert.Contains(published.Executable, maps);
    }
}
