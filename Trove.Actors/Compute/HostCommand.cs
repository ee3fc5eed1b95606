using System.Diagnostics;

namespace Trove.Actors.Compute;

/// <summary>Runs a host tool (useradd, userdel, find) with an argument list, never a shell string. A tool once started
/// runs to its end, cancelled or not: a cancel is seen when it has exited, so that nothing it does happens behind its
/// caller's back (a user made after a deletion looked for it).</summary>
internal static class HostCommand
{
    public sealed record Result(int ExitCode, string Output, string Error);

    /// <summary>As <see cref="RunAsync"/>, for a node's start-up checks, which run before anything else does.</summary>
    public static Result Run(string file, params string[] args) => RunAsync(file, args, CancellationToken.None).GetAwaiter().GetResult();

    /// <param name="input">what the tool reads on its standard input (none: it reads nothing).</param>
    public static async Task<Result> RunAsync(string file, IEnumerable<string> args, CancellationToken ct, string? input = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = input is not null, UseShellExecute = false,
        };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }
        await process.WaitForExitAsync(CancellationToken.None);
        ct.ThrowIfCancellationRequested();
        return new Result(process.ExitCode, (await output).Trim(), (await error).Trim());
    }
}
