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
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = Directory.CreateTempSubdirectory("trove-admin-cwd-").FullName };
        start.Environment.Remove(AdminToken.EnvironmentVariable);
        start.Environment.Remove("TROVE_DATA_DIR");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            start.Environment[key] = value;
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "trove-admin.dll"));
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        var ran = await Programs.RunAsync(start, TimeSpan.FromSeconds(60), stdin);
        Directory.Delete(start.WorkingDirectory, recursive: true);
        if (ran.TimedOut)
            throw new TimeoutException($"trove-admin {string.Join(' ', args)} took longer than 60 s: {ran.Errors}");
        return new Result(ran.ExitCode, ran.Output, ran.Errors);
    }
}
