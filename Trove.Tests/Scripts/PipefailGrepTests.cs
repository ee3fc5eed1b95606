using Trove.Tests.Support;
using System.Text.RegularExpressions;
using Trove.Tests.GuestImages;

namespace Trove.Tests.Scripts;

/// <summary>Under <c>set -o pipefail</c>, <c>cmd | grep -q x</c> fails whenever grep finds its line and exits before
/// <c>cmd</c> has written the rest: <c>cmd</c> dies of SIGPIPE (or, in Python, BrokenPipeError) and the pipeline takes
/// its status. <c>nova-manage cell_v2 list_cells | grep -q</c> failed CI this way on a busy machine. Every script under
/// <c>scripts/</c> is read; a pipe into <c>grep -q</c> must read its input whole (<c>grep x &gt;/dev/null</c>).</summary>
public sealed partial class PipefailGrepTests
{
    [GeneratedRegex(@"\|\s*grep\s+(-\w*q\w*|--quiet)\b")]
    private static partial Regex PipeIntoQuietGrep();

    [Fact]
    public void No_script_with_pipefail_pipes_into_a_grep_that_stops_reading()
    {
        var scripts = Directory.EnumerateFiles(Path.Combine(Checkout.Root, "scripts"), "*",
                SearchOption.AllDirectories)
            .Select(path => (path, text: File.ReadAllText(path)))
            .Where(s => s.text.StartsWith("#!") || s.path.EndsWith(".sh"))
            .ToList();
        Assert.Contains(scripts, s => s.path.EndsWith("openstack-sandbox"));

        var offending = scripts
            .Where(s => s.text.Contains("pipefail") || s.path.EndsWith(".sh"))
            .SelectMany(s => s.text.Split('\n').Select((line, i) => (s.path, number: i + 1, line)))
            .Where(l => PipeIntoQuietGrep().IsMatch(l.line))
            .Select(l => $"{Path.GetFileName(l.path)}:{l.number}: {l.line.Trim()}")
            .ToList();
        Assert.Empty(offending);
    }
}
