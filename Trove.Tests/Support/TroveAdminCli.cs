using System.Diagnostics;
using Trove.Actors.Admin;
using Trove.Contracts.Admin;

namespace Trove.Tests.Support;

/// <summary>The real <c>trove-admin</c> executable, as an operator runs it; its exit code and output.</summary>
public static class TroveAdminCli
{
    public sealed record Result(int Exit, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {Exit}\n{Stdout}{Stderr}";
    }

    /// <summary>Runs a command on the node as its operator does: with the token file the node made.</summary>
    public static async Task<Result> RunAsync(TroveNode node, params string[] args) =>
        await RunAsync([$"127.0.0.1:{node.AdminPort}", "--token-file", node.AdminTokenFile, .. args]);

    /// <summary>Runs the CLI with these arguments and, besides those given, no admin token in its environment and a
    /// fresh working directory (so no <c>.trove/admin.token</c> is found by chance).</summary>
    public static async Task<Result> RunAsync(IEnumerable<string> args, string? stdin = null, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Directory.CreateTempSubdirectory("trove-admin-cwd-").FullName,
        };
        start.Environment.Remove(AdminToken.EnvironmentVariable);
        start.Environment.Remove("TROVE_DATA_DIR");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            start.Environment[key] = value;
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "trove-admin.dll"));
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        if (stdin is not null)
            await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Directory.Delete(start.WorkingDirectory, recursive: true);
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
