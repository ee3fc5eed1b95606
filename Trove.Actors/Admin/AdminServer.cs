using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Trove.Contracts.Admin;

namespace Trove.Actors.Admin;

/// <summary>
/// The node's admin endpoint, in the spirit of Petabridge.Cmd: a TCP port that takes one JSON command per
/// connection. Every caller, loopback included, presents the node's admin token (see <see cref="AdminToken"/>).
/// </summary>
public sealed class AdminServer(AdminSettings settings, AdminCommands commands, ILogger<AdminServer> logger) : BackgroundService
{
    private const int MaxRequestBytes = 16 * 1024;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (settings.Port < 0)
            return;
        var listener = new TcpListener(IPAddress.Parse(settings.Host), settings.Port);
        try
        {
            listener.Start();
        }
        catch (SocketException e)
        {
            // The API matters more than its admin endpoint: say so loudly and keep serving.
            logger.LogError("admin endpoint cannot listen on {Host}:{Port}: {Error}", settings.Host, settings.Port, e.Message);
            return;
        }
        logger.LogInformation("admin endpoint on {Endpoint}", listener.LocalEndpoint);
        using var stopListening = stoppingToken.Register(listener.Stop);
        while (!stoppingToken.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(stoppingToken); }
            catch (Exception) when (stoppingToken.IsCancellationRequested) { break; }
            _ = ServeAsync(client, stoppingToken);
        }
    }

    private async Task ServeAsync(TcpClient client, CancellationToken ct)
    {
        using var _ = client;
        try
        {
            await using var stream = client.GetStream();
            var line = await ReadLineAsync(stream, ct);
            var remote = ((IPEndPoint)client.Client.RemoteEndPoint!).Address;
            var response = line is null
                ? AdminResponse.Usage("expected one line of JSON: {\"args\": [...], \"token\": ...}")
                : await AnswerAsync(line, remote, ct);
            await stream.WriteAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(response) + "\n"), ct);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            // the caller went away
        }
    }

    private async Task<AdminResponse> AnswerAsync(string line, IPAddress remote, CancellationToken ct)
    {
        AdminRequest? request;
        try { request = JsonSerializer.Deserialize<AdminRequest>(line); }
        catch (JsonException e) { return AdminResponse.Usage($"not a command: {e.Message}"); }
        if (request?.Args is null)
            return AdminResponse.Usage("not a command: args missing");
        if (!Allows(settings, request.Token))
        {
            logger.LogWarning("admin endpoint refused {Remote}: no valid admin token", remote);
            return new AdminResponse(AdminExit.Refused,
                "a valid admin token is required: trove-admin reads it from --token-file, " +
                $"{AdminToken.EnvironmentVariable}, or {AdminToken.FileName} in the node's data dir (TROVE_DATA_DIR)");
        }
        return await commands.RunAsync(request.Args, ct);
    }

    /// <summary>Every caller, from whatever address, must present the node's token (none known: everyone is refused).</summary>
    internal static bool Allows(AdminSettings settings, string? token) =>
        settings.Token is { Length: > 0 } expected && token is not null &&
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(token));

    private static async Task<string?> ReadLineAsync(Stream stream, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var buffer = new MemoryStream();
        var chunk = new byte[1024];
        while (buffer.Length < MaxRequestBytes)
        {
            var read = await stream.ReadAsync(chunk, timeout.Token);
            if (read == 0)
                break;
            var end = Array.IndexOf(chunk, (byte)'\n', 0, read);
            buffer.Write(chunk, 0, end < 0 ? read : end);
            if (end >= 0)
                return Encoding.UTF8.GetString(buffer.ToArray());
        }
        return null;
    }
}
