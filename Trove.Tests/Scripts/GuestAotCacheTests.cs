using System.Diagnostics;
using System.Runtime.Versioning;
using Trove.Tests.Support;

namespace Trove.Tests.Scripts;

/// <summary>scripts/lib/publish-guest-aot keeps the guest's Native AOT compile under a key of what the compile reads: the
/// same inputs again copy the kept output instead of compiling, a change to any source the guest is compiled from is a
/// new key, and what builds leave in bin/ and obj/ is not an input. Played on a copy of those sources, with a dotnet that
/// only tells its version and records any other call.</summary>
[SupportedOSPlatform("linux")]
public sealed class GuestAotCacheTests : IDisposable
{
    private static readonly string[] Sources = ["Trove.Guest", "Trove.Contracts", "Trove.Amqp"];
    private readonly string _tree = Path.Combine(Path.GetTempPath(), $"guest-aot-{Guid.NewGuid():N}");
    private string Script => Path.Combine(_tree, "scripts", "lib", "publish-guest-aot");
    private string Cache => Path.Combine(_tree, "cache");
    private string Dotnet => Path.Combine(_tree, "dotnet");
    private string Compiled => Path.Combine(_tree, "compiled");

    public GuestAotCacheTests()
    {
        foreach (var project in Sources)
            CopySources(Path.Combine(Checkout.Root, project), Path.Combine(_tree, project));
        foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props", "scripts/lib/publish-guest-aot" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(_tree, file))!);
            File.Copy(Path.Combine(Checkout.Root, file), Path.Combine(_tree, file));
        }
        File.WriteAllText(Dotnet, $"#!/bin/sh\n[ \"$1\" = --version ] && exec dotnet --version\necho \"$@\" >> '{Compiled}'\nexit 1\n");
        File.SetUnixFileMode(Dotnet, File.GetUnixFileMode(Script));
    }

    public void Dispose() => Directory.Delete(_tree, recursive: true);

    [Fact]
    public async Task A_source_change_in_a_referenced_project_is_a_new_key_and_bin_and_obj_are_not_inputs()
    {
        var key = await KeyAsync();
        Assert.Matches("^[0-9a-f]{32}$", key);

        Directory.CreateDirectory(Path.Combine(_tree, "Trove.Amqp", "obj"));
        File.WriteAllText(Path.Combine(_tree, "Trove.Amqp", "obj", "project.assets.json"), "{}");
        Directory.CreateDirectory(Path.Combine(_tree, "Trove.Guest", "bin", "Release"));
        File.WriteAllText(Path.Combine(_tree, "Trove.Guest", "bin", "Release", "Trove.Guest.dll"), "");
        Assert.Equal(key, await KeyAsync());

        var source = Directory.EnumerateFiles(Path.Combine(_tree, "Trove.Amqp"), "*.cs", SearchOption.AllDirectories).First();
        File.AppendAllText(source, "// changed\n");
        Assert.NotEqual(key, await KeyAsync());
        Assert.NotEqual(await KeyAsync(), await KeyAsync("Debug"));
    }

    [Fact]
    public async Task The_same_inputs_copy_the_kept_output_without_compiling()
    {
        var kept = Path.Combine(Cache, await KeyAsync());
        Directory.CreateDirectory(kept);
        File.WriteAllText(Path.Combine(kept, "Trove.Guest"), "kept");
        var output = Path.Combine(_tree, "out");

        var (code, _) = await RunAsync("linux-x64", "Release", output, Path.Combine(_tree, "artifacts"));

        Assert.Equal(0, code);
        Assert.Equal("kept", File.ReadAllText(Path.Combine(output, "Trove.Guest")));
        Assert.False(File.Exists(Compiled), "a kept output was compiled again");
    }

    [Fact]
    public async Task New_inputs_are_compiled()
    {
        var (code, _) = await RunAsync("linux-x64", "Release", Path.Combine(_tree, "out"), Path.Combine(_tree, "artifacts"));

        Assert.NotEqual(0, code); // this test's dotnet compiles nothing
        Assert.StartsWith("publish ", File.ReadAllText(Compiled));
        Assert.Empty(Directory.GetDirectories(Cache)); // nothing kept of a failed compile
    }

    private async Task<string> KeyAsync(string configuration = "Release")
    {
        var (code, output) = await RunAsync("--key", "linux-x64", configuration);
        Assert.True(code == 0, output);
        return output.Trim();
    }

    private async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo(Script, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["TROVE_GUEST_AOT_CACHE"] = Cache;
        start.Environment["DOTNET_HOST_PATH"] = Dotnet;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(1)).Token);
        return (process.ExitCode, await output + await error);
    }

    private static void CopySources(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.Split('/')[0] is "bin" or "obj")
                continue;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(to, relative))!);
            File.Copy(file, Path.Combine(to, relative));
        }
    }
}
