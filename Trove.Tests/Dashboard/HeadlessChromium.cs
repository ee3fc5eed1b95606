using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace Trove.Tests.Dashboard;

/// <summary>
/// Debian's chromium driven headless through Debian's chromedriver (scripts/bootstrap installs both). On dispose it quits
/// the browser and makes sure that every process it started is gone, killing by pid only those it started.
/// </summary>
public sealed class HeadlessChromium : IDisposable
{
    public const string Browser = "/usr/bin/chromium";
    public const string Driver = "/usr/bin/chromedriver";

    private readonly ChromeDriverService _service;
    private readonly string _profile;
    private IReadOnlyList<int>? _left;
    public ChromeDriver WebDriver { get; }

    public HeadlessChromium()
    {
        _profile = Directory.CreateTempSubdirectory("trove-chromium-").FullName;
        _service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(Driver)!, Path.GetFileName(Driver));
        _service.HideCommandPromptWindow = true;
        _service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = Browser };
        // --no-sandbox: the suite runs as root, where Chromium's sandbox refuses to start.
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
            "--window-size=1280,1000", $"--user-data-dir={_profile}", "--no-first-run", "--disable-extensions");
        WebDriver = new ChromeDriver(_service, options, TimeSpan.FromSeconds(60));
    }

    /// <summary>The driver and every process under it (the browser, its zygotes, renderers, GPU and utility processes).</summary>
    public IReadOnlyList<int> Processes() => [_service.ProcessId, .. Descendants(_service.ProcessId)];

    /// <summary>The processes it started that are still there after it quit (an empty list is the expected answer).</summary>
    public IReadOnlyList<int> Quit() => _left ??= QuitOnce();

    private IReadOnlyList<int> QuitOnce()
    {
        var started = Processes();
        try { WebDriver.Quit(); } catch (WebDriverException) { }
        _service.Dispose();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (started.Any(Alive) && DateTime.UtcNow < deadline)
            Thread.Sleep(100);
        return started.Where(Alive).ToList();
    }

    public void Dispose()
    {
        foreach (var pid in Quit())
            try { System.Diagnostics.Process.GetProcessById(pid).Kill(); } catch (ArgumentException) { } catch (InvalidOperationException) { }
        try { Directory.Delete(_profile, recursive: true); } catch (IOException) { }
    }

    /// <summary>There and not a zombie (one whose parent has not reaped it yet is gone for every purpose here).</summary>
    private static bool Alive(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/stat").Split(") ")[1][0] != 'Z'; }
        catch (IOException) { return false; }
    }

    private static IEnumerable<int> Descendants(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
            if (int.TryParse(Path.GetFileName(dir), out var pid))
                try { parents[pid] = int.Parse(File.ReadAllText($"{dir}/stat").Split(") ")[1].Split(' ')[1]); }
                catch (IOException) { } // gone meanwhile
        var found = new List<int>();
        var frontier = new Queue<int>([root]);
        while (frontier.TryDequeue(out var parent))
            foreach (var (child, _) in parents.Where(p => p.Value == parent))
            {
                found.Add(child);
                frontier.Enqueue(child);
            }
        return found;
    }
}
