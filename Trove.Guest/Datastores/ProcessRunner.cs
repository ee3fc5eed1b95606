using System.Diagnostics;

namespace Trove.Guest.Datastores;

/// <summary>Runs an engine's command-line tool with an argument list (never a shell string).</summary>
public static class ProcessRunner
{
    public sealed record Result(int ExitCode, string Output, string Error);

    /// <summary>Runs the command and returns its exit code and output, whatever the exit code.</summary>
    public static async Task<Result> RunAsync(string file, IEnumerable<string> args, CancellationToken ct, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "/",
        };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return new Result(process.ExitCode, await output, await error);
    }

    /// <summary>Runs the command with its stdout copied to <paramref name="output"/> and/or its stdin read from
    /// <paramref name="input"/>; throws, with its stderr, unless it exits with 0.</summary>
    public static async Task PipeAsync(string file, IEnumerable<string> args, Stream? input, Stream? output, CancellationToken ct)
    {
        var list = args.ToList();
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        foreach (var arg in list)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var error = process.StandardError.ReadToEndAsync(ct);
        var copyOut = output is null
            ? process.StandardOutput.ReadToEndAsync(ct)
            : process.StandardOutput.BaseStream.CopyToAsync(output, ct);
        if (input is not null)
        {
            await input.CopyToAsync(process.StandardInput.BaseStream, ct);
            process.StandardInput.Close();
        }
        await copyOut;
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', list)} exited with {process.ExitCode}: {(await error).Trim()}");
    }

    /// <summary>Runs the command and throws, with its stderr, unless it exits with 0.</summary>
    public static async Task<string> RunCheckedAsync(string file, IEnumerable<string> args, CancellationToken ct)
    {
        var list = args.ToList();
        var result = await RunAsync(file, list, ct);
        if (result.ExitCode != 0)
            throw new InvalidOperationException(
                $"{file} {string.Join(' ', list)} exited with {result.ExitCode}: {result.Error.Trim()} {result.Output.Trim()}".Trim());
        return result.Output;
    }
}
