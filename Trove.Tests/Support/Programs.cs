using System.Diagnostics;

namespace Trove.Tests.Support;

/// <summary>The one way the tests run a program to its end, or signal one they started.</summary>
public static class Programs
{
    /// <summary>What a program printed and how it ended; <see cref="TimedOut"/> when it was ended for outlasting its time.</summary>
    public sealed record Ran(int ExitCode, string Output, string Errors, bool TimedOut)
    {
        public bool Succeeded => ExitCode == 0 && !TimedOut;
    }

    /// <summary>Runs <paramref name="start"/> with its output read, its <paramref name="stdin"/> written; after
    /// <paramref name="timeout"/> its whole process tree is ended.</summary>
    public static async Task<Ran> RunAsync(ProcessStartInfo start, TimeSpan timeout, string? stdin = null)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = true;
        start.UseShellExecute = false;
        using var process = Process.Start(start)!;
        if (stdin is not null)
            await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            timedOut = true;
        }
        return new Ran(process.ExitCode, await PrintedAsync(output), await PrintedAsync(errors), timedOut);
    }

    /// <summary>What the program printed; a daemon it started may hold its output open (a sandbox's services), so that
    /// is not waited for past a few seconds.</summary>
    private static async Task<string> PrintedAsync(Task<string> stream) =>
        await Task.WhenAny(stream, Task.Delay(TimeSpan.FromSeconds(5))) == stream ? await stream : "(its output is held open by a process it started)";

    /// <summary>Runs <paramref name="program"/>; one that fails or outlasts <paramref name="timeout"/> (default 5 min)
    /// throws with what it printed.</summary>
    public static async Task<string> RunCheckedAsync(string program, IEnumerable<string> args, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(program, args) { WorkingDirectory = "/" };
        var limit = timeout ?? TimeSpan.FromMinutes(5);
        var ran = await RunAsync(start, limit);
        var command = $"{program} {string.Join(' ', start.ArgumentList)}";
        if (ran.TimedOut)
            throw new TimeoutException($"{command} took longer than {limit}: {ran.Output}{ran.Errors}");
        if (ran.ExitCode != 0)
            throw new InvalidOperationException($"{command} failed ({ran.ExitCode}): {ran.Output}{ran.Errors}");
        return ran.Output;
    }

    /// <summary>Sends <paramref name="signal"/> (<c>TERM</c>, <c>KILL</c>, <c>STOP</c>, <c>CONT</c>) to a process the test
    /// started or that one of its nodes started; one already gone is not an error.</summary>
    public static void Signal(int pid, string signal) => Process.Start("kill", [$"-{signal}", pid.ToString()])!.WaitForExit();
}
