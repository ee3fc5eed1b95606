using System.Diagnostics;

namespace Trove.Actors.Compute;

/// <summary>Runs a host tool (useradd, userdel, find) with an argument list, never a shell string.</summary>
internal static class HostCommand
{
    public sealed record Result(int ExitCode, string Error);

    public static async Task<Result> RunAsync(string file, IEnumerable<string> args, CancellationToken ct)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        await output;
        return new Result(process.ExitCode, (await error).Trim());
    }
}
