using Trove.Contracts.Admin;

namespace Trove.Admin;

/// <summary>A node's admin endpoint as HOST and PORT.</summary>
public sealed record AdminEndpoint(string Host, int Port)
{
    public static AdminEndpoint? Parse(string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        return colon > 0 && int.TryParse(endpoint[(colon + 1)..], out var port) ? new AdminEndpoint(endpoint[..colon], port) : null;
    }

    public override string ToString() => $"{Host}:{Port}";
}

/// <summary>Runs commands on one endpoint with one token: a single one, or a prompt's until 'exit'.</summary>
public sealed class AdminSession(AdminEndpoint endpoint, string? token)
{
    public async Task<int> RunAsync(IReadOnlyList<string> command, CancellationToken ct)
    {
        var response = await AdminClient.SendAsync(endpoint.Host, endpoint.Port, command, token, ct: ct);
        (response.Exit == AdminExit.Ok ? Console.Out : Console.Error).Write(response.Output.EndsWith('\n') ? response.Output : response.Output + "\n");
        return response.Exit;
    }

    /// <summary>Exits with the last command's code.</summary>
    public async Task<int> PromptAsync(CancellationToken ct)
    {
        Console.WriteLine($"connected to {endpoint}; 'help' lists the commands, 'exit' leaves");
        var last = AdminExit.Ok;
        while (true)
        {
            Console.Write($"trove-admin {endpoint}> ");
            var line = Console.ReadLine();
            if (line is null || line.Trim() is "exit" or "quit")
                return last;
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length > 0)
                last = await RunAsync(words, ct);
        }
    }
}
