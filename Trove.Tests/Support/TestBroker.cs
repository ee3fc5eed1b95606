using Trove.Actors.Broker;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Trove.Actors.Guests;
using Trove.Actors.Hosting;
using Trove.Amqp;
using Trove.Contracts.Guests;

namespace Trove.Tests.Support;

/// <summary>The real broker of scripts/bootstrap, with real guest broker users made as the node makes them, on a
/// conductor queue of the test's own.</summary>
public sealed class TestBroker : IAsyncDisposable
{
    private readonly List<string> _guests = [];
    private readonly List<AmqpConnector> _connections = [];
    private readonly string _dataDir = TroveNode.NewDataDir();

    public BrokerSettings Settings { get; } = new() { Exchange = "trove-tests", ConductorQueue = $"conductor.test.{Guid.NewGuid():N}" };
    public AmqpConnector Node { get; private set; } = null!;
    /// <summary>The name of <see cref="Node"/>'s connection, by which the management API finds it.</summary>
    public string NodeName { get; } = $"tests-node-{Guid.NewGuid():N}";
    public GuestBrokerUsers Users { get; }
    public HttpClient Management { get; } = ManagementClient();

    private TestBroker() => Users = GuestBrokerUsers.FromSettings(Settings, _dataDir);

    public static async Task<TestBroker> StartAsync()
    {
        var broker = new TestBroker();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        broker.Node = await AmqpConnector.ConnectAsync(broker.Settings.Connection(broker.NodeName), timeout.Token);
        await broker.Node.DeclareAsync(broker.Settings.Topology);
        return broker;
    }

    /// <summary>A new instance's guest: its broker user and queue made as the node makes them, and a connection as it.</summary>
    public async Task<(string InstanceId, AmqpConnector Connection)> GuestAsync()
    {
        var (id, credentials) = await NewGuestAsync();
        return (id, await ConnectAsync(credentials));
    }

    /// <summary>A new instance's guest broker user and queue, made as the node makes them, for a guest process to use.</summary>
    public async Task<(string InstanceId, GuestCredentials Credentials)> NewGuestAsync()
    {
        var id = Guid.NewGuid().ToString();
        _guests.Add(id);
        var credentials = await Users.GrantAsync(id);
        await Node.DeclareAsync(Settings.QueueOnExchange(TroveBroker.GuestQueue(id)));
        return (id, credentials);
    }

    public async Task<AmqpConnector> ConnectAsync(GuestCredentials credentials)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var connection = await AmqpConnector.ConnectAsync(new AmqpConnectionSettings(credentials.UriOn(Settings.Uri), credentials.User), timeout.Token);
        _connections.Add(connection);
        return connection;
    }

    /// <summary><paramref name="message"/> to <paramref name="queue"/> through the test's exchange.</summary>
    public OutgoingMessage To(string queue, RpcMessage message) => OutgoingMessage.Json(Settings.Exchange, queue, message.ToBytes());

    /// <summary>Publishes (confirmed) as the user of <paramref name="connection"/>.</summary>
    public async Task PublishAsync(AmqpConnector connection, string queue, RpcMessage message)
    {
        await using var publisher = new AmqpPublisher(connection);
        await publisher.PublishAsync(To(queue, message));
    }

    /// <summary>The management API as the broker's administrator (the node's own user, made by scripts/bootstrap).</summary>
    public static HttpClient ManagementClient() => new()
    {
        BaseAddress = new Uri("http://127.0.0.1:15672/"),
        DefaultRequestHeaders =
        {
            Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(new Uri(NodeBrokerUri.Value).UserInfo)))),
        },
    };

    /// <summary>Closes, through the management API, every broker connection named <paramref name="clientName"/> (as an
    /// operator, or a broker under memory pressure, would).</summary>
    public static async Task CloseConnectionsAsync(HttpClient management, string clientName)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var connections = (await management.GetFromJsonAsync<JsonArray>("api/connections?columns=name,client_properties"))!
                .Where(c => (string?)c!["client_properties"]?["connection_name"] == clientName)
                .Select(c => (string)c!["name"]!)
                .ToList();
            if (connections.Count > 0)
            {
                foreach (var connection in connections)
                {
                    using var request = new HttpRequestMessage(HttpMethod.Delete, $"api/connections/{Uri.EscapeDataString(connection)}");
                    request.Headers.Add("X-Reason", "closed by a test");
                    var response = await management.SendAsync(request);
                    Assert.True(response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.NotFound, $"closing {connection}: {response.StatusCode}");
                }
                return;
            }
            await Task.Delay(100); // the management API lists a new connection after a moment
        }
        Assert.Fail($"the management API never listed a connection named {clientName}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
            await connection.DisposeAsync();
        foreach (var id in _guests)
        {
            await Users.RevokeAsync(id);
            await Node.DeleteQueueAsync(TroveBroker.GuestQueue(id));
        }
        await Node.DeleteQueueAsync(Settings.ConductorQueue);
        await Node.DisposeAsync();
        Management.Dispose();
        Directory.Delete(_dataDir, recursive: true);
    }
}
