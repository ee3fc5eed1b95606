using Trove.Actors.Broker;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Trove.Contracts.Guests;
using Trove.Actors.Files;

namespace Trove.Actors.Guests;

/// <summary>
/// Each guest's own RabbitMQ user, made and deleted through the management HTTP API. It may consume its own queue
/// and nothing else, declare and bind nothing, and publish only to the guest exchange with the conductor queue as
/// routing key and to the reply exchange with a reply queue's name: never through the default exchange, so never
/// into another guest's queue. Its password is derived from a secret and the instance id, so any node gives the
/// same one after a restart and nothing needs storing.
/// </summary>
public sealed class GuestBrokerUsers(BrokerSettings settings, byte[] secret, HttpClient management)
{
    private readonly string _vhost = VirtualHost(settings.Uri);

    /// <summary>A node of a cluster needs the configured secret: a key of its own data dir would give a guest another
    /// password than the node that built it, once the instance's entity moves.</summary>
    public static GuestBrokerUsers FromSettings(BrokerSettings settings, string dataDir, bool clustered = false)
    {
        if (clustered && settings.GuestSecret is not { Length: > 0 })
            throw new InvalidOperationException("Trove:Amqp:GuestSecret must be set, the same on every node, when a node joins a cluster (Trove:SeedNodes)");
        var secret = settings.GuestSecret is { Length: > 0 } configured
            ? SHA256.HashData(Encoding.UTF8.GetBytes(configured))
            : KeyFile.ReadOrCreate(Path.Combine(dataDir, "guest-broker.key"));
        return new GuestBrokerUsers(settings, secret, ManagementClient(settings));
    }

    public GuestCredentials CredentialsOf(string instanceId) => new(TroveBroker.GuestUser(instanceId),
        Convert.ToHexStringLower(HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes($"guest-broker:{instanceId}"))));

    /// <summary>Makes (or makes again, unchanged) the guest's user and its permissions.</summary>
    public async Task<GuestCredentials> GrantAsync(string instanceId, CancellationToken ct = default)
    {
        var credentials = CredentialsOf(instanceId);
        var user = Uri.EscapeDataString(credentials.User);
        var vhost = Uri.EscapeDataString(_vhost);
        await PutAsync($"api/users/{user}", new { password = credentials.Password, tags = DeploymentTag }, ct);
        await PutAsync($"api/permissions/{vhost}/{user}", new
        {
            configure = "^$",
            write = $"^({Regex.Escape(settings.Exchange)}|{Regex.Escape(settings.ReplyExchange)})$",
            read = $"^{Regex.Escape(TroveBroker.GuestQueue(instanceId))}$",
        }, ct);
        // Topic permissions restrict the routing keys on those two (topic) exchanges.
        await PutAsync($"api/topic-permissions/{vhost}/{user}",
            new { exchange = settings.Exchange, write = $"^{Regex.Escape(settings.ConductorQueue)}$", read = "^$" }, ct);
        await PutAsync($"api/topic-permissions/{vhost}/{user}",
            new { exchange = settings.ReplyExchange, write = TroveBroker.ReplyQueuePattern, read = "^$" }, ct);
        return credentials;
    }

    /// <summary>Deletes the guest's user with its permissions; a missing one is already deleted.</summary>
    public async Task RevokeAsync(string instanceId, CancellationToken ct = default)
    {
        using var response = await management.DeleteAsync($"api/users/{Uri.EscapeDataString(TroveBroker.GuestUser(instanceId))}", ct);
        if (response.StatusCode != HttpStatusCode.NotFound)
            await EnsureSuccessAsync(response, ct);
    }

    /// <summary>Closes the broker connections the instance's guest opened (named <c>guest-{id}</c> by every release): the
    /// broker puts back whatever call the guest had taken and not yet acknowledged, for the next guest to take.</summary>
    public async Task CloseGuestConnectionsAsync(string instanceId, CancellationToken ct = default)
    {
        var connections = await management.GetFromJsonAsync<List<BrokerConnection>>("api/connections", ct) ?? [];
        foreach (var connection in connections.Where(c => c.ClientProperties?.ConnectionName == $"guest-{instanceId}"))
        {
            using var request = new HttpRequestMessage(HttpMethod.Delete, $"api/connections/{Uri.EscapeDataString(connection.Name)}");
            request.Headers.Add("X-Reason", "the guest is being adopted by a newer release");
            using var response = await management.SendAsync(request, ct);
            if (response.StatusCode != HttpStatusCode.NotFound)
                await EnsureSuccessAsync(response, ct);
        }
    }

    private sealed record BrokerConnection(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("client_properties")] ClientProperties? ClientProperties);

    private sealed record ClientProperties([property: JsonPropertyName("connection_name")] string? ConnectionName);

    /// <summary>Marks the guest users of this deployment (its conductor queue), so that deployments sharing a broker
    /// never take each other's users for orphans. Tags grant nothing in RabbitMQ but the management UI's few.</summary>
    private string DeploymentTag => $"trove-deployment:{settings.ConductorQueue}";

    /// <summary>The instances of this deployment that have a guest broker user, by the users' names and tag.</summary>
    public async Task<IReadOnlyList<string>> InstancesWithUsersAsync(CancellationToken ct = default)
    {
        var users = await management.GetFromJsonAsync<List<BrokerUser>>("api/users", ct) ?? [];
        return users.Where(u => u.Name.StartsWith(TroveBroker.GuestUserPrefix, StringComparison.Ordinal) && u.HasTag(DeploymentTag))
            .Select(u => u.Name[TroveBroker.GuestUserPrefix.Length..]).ToList();
    }

    /// <summary>A user as the management API lists it; its tags are a list (a comma-separated string before 3.9).</summary>
    private sealed record BrokerUser(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("tags")] JsonElement Tags)
    {
        public bool HasTag(string tag) => Tags.ValueKind switch
        {
            JsonValueKind.Array => Tags.EnumerateArray().Any(t => t.GetString() == tag),
            JsonValueKind.String => Tags.GetString()!.Split(',').Contains(tag),
            _ => false,
        };
    }

    private async Task PutAsync(string path, object body, CancellationToken ct)
    {
        using var response = await management.PutAsJsonAsync(path, body, ct);
        await EnsureSuccessAsync(response, ct);
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException(
                $"the broker's management API answered {(int)response.StatusCode} to {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath}: {await response.Content.ReadAsStringAsync(ct)}",
                null, response.StatusCode);
    }

    /// <summary>The management API as the node's own broker user.</summary>
    private static HttpClient ManagementClient(BrokerSettings settings)
    {
        var broker = new Uri(settings.Uri);
        var baseUri = settings.ManagementUri is { Length: > 0 } configured ? configured : $"http://{broker.Host}:15672/";
        var http = new HttpClient { BaseAddress = new Uri(baseUri.EndsWith('/') ? baseUri : baseUri + "/"), Timeout = TimeSpan.FromSeconds(30) };
        var password = broker.UserInfo.Split(':') is [_, var p] ? Uri.UnescapeDataString(p) : "guest";
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{settings.UserName}:{password}")));
        return http;
    }

    /// <summary>The virtual host of an AMQP URI, as RabbitMQ.Client reads it: its one path segment, or "/".</summary>
    private static string VirtualHost(string uri) =>
        new Uri(uri).Segments is [_, var vhost] ? Uri.UnescapeDataString(vhost) : "/";
}
