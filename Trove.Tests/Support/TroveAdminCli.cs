using System.Diagnostics;

namespace Trove.Tests.Support;

/// <summary>The real <c>trove-admin</c> executable, as an operator runs it; its exit code and output.</summary>
public static class TroveAdminCli
{
    public sealed record Result(int Exit, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {Exit}\n{Stdout}{Stderr}";
    }

    public static async Task<Result> RunAsync(TroveNode node, params string[] args) =>
        await RunAsync([$"127.0.0.1:{node.AdminPort}", .. args]);

    public static async Task<Result> RunAsync(IEnumerable<string> args, string? stdin = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
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
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
