using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Trove.Contracts.Guests;

namespace Trove.Contracts.Admin;

/// <summary>Sends one command to a node's admin endpoint; used by <c>trove-admin</c> and the tests.</summary>
public static class AdminClient
{
    public static async Task<AdminResponse> SendAsync(string host, int port, IReadOnlyList<string> args, string? token = null,
        TimeSpan? timeout = null, CancellationToken ct = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(host, port, deadline.Token);
            await using var stream = tcp.GetStream();
            var request = JsonSerializer.Serialize(new AdminRequest(args, token), ContractsJson.Plain.Info<AdminRequest>()) + "\n";
            await stream.WriteAsync(Encoding.UTF8.GetBytes(request), deadline.Token);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var line = await reader.ReadLineAsync(deadline.Token);
            return line is null
                ? new AdminResponse(AdminExit.Unreachable, $"{host}:{port} closed the connection without an answer")
                : JsonSerializer.Deserialize(line, ContractsJson.Plain.Info<AdminResponse>())!;
        }
        catch (SocketException e)
        {
            return new AdminResponse(AdminExit.Unreachable, $"cannot reach {host}:{port}: {e.Message}");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new AdminResponse(AdminExit.Unreachable, $"{host}:{port} did not answer in time");
        }
    }
}
