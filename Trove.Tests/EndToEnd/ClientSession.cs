using System.Diagnostics;

namespace Trove.Tests.EndToEnd;

/// <summary>One scenario script of the upstream client (Trove.Tests/EndToEnd/*.sh) against a node, through a warm client.</summary>
public static class ClientSession
{
    private static readonly TimeSpan SessionLimit = TimeSpan.FromMinutes(20);

    /// <summary>Null when the session succeeded, else what it printed.</summary>
    public static async Task<string?> RunAsync(Uri node, string script, Dictionary<string, string> environment, ClientZygote zygote)
    {
        var start = new ProcessStartInfo("/bin/bash", [Path.Combine(AppContext.BaseDirectory, "EndToEnd", script)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["OS_AUTH_URL"] = new Uri(node, "v3").ToString();
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        // Debian's client runs on the system interpreter, whatever python3 comes first on PATH.
        start.Environment["PATH"] = "/usr/bin:/bin";
        start.Environment[ClientZygote.Variable] = zygote.Socket;
        using var client = Process.Start(start)!;
        var output = client.StandardOutput.ReadToEndAsync();
        var errors = client.StandardError.ReadToEndAsync();
        // About 150 client commands and the polls of the waits: minutes, longer while the rest of the suite runs on the same
        // 2 cores.
        using var timeout = new CancellationTokenSource(SessionLimit);
        try
        {
            await client.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            client.Kill(entireProcessTree: true);
            await client.WaitForExitAsync();
            return $"{script} {string.Join(' ', environment.Values)}: still running after {SessionLimit.TotalMinutes} min\n{await errors}\n{await output}";
        }
        return client.ExitCode == 0 ? null : $"{script} {string.Join(' ', environment.Values)}: exit {client.ExitCode}\n{await errors}\n{await output}";
    }
}
