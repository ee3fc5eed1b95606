using System.Net;
using OpenQA.Selenium;
using OpenQA.Selenium.Support.UI;
using Trove.Tests.EndToEnd;
using Trove.Tests.GuestImages;
using Trove.Tests.Support;

namespace Trove.Tests.Dashboard;

/// <summary>A tenant's day in the browser, on a real node with a real PostgreSQL guest: headless Chromium clicks through
/// the dashboard as a person would; the page updates itself (no reload) as the instance and its backup change.</summary>
[Collection("node")]
public sealed class DashboardBrowserTests(NodeFixture fixture)
{
    private TroveNode Node => fixture.Node;
    private static readonly string Artifacts = Path.Combine(Checkout.Root, "TestResults", "dashboard");

    /// <summary>The page redraws what changes, so an element found a moment ago may be gone: look again until the time is up.</summary>
    private static WebDriverWait Waiting(IWebDriver browser, TimeSpan timeout)
    {
        var wait = new WebDriverWait(browser, timeout) { PollingInterval = TimeSpan.FromMilliseconds(250) };
        wait.IgnoreExceptionTypes(typeof(NoSuchElementException), typeof(StaleElementReferenceException));
        return wait;
    }

    [Fact]
    public async Task Log_in_create_watch_active_manage_databases_and_users_restart_resize_back_up_restore_and_delete_without_reloading()
    {
        Directory.CreateDirectory(Artifacts);
        var chromium = new HeadlessChromium();
        string? id = null, restoredId = null;
        try
        {
            var browser = chromium.WebDriver;
            var wait = Waiting(browser, TimeSpan.FromSeconds(20));
            IWebElement Find(string css) => wait.Until(b => b.FindElements(By.CssSelector(css)).FirstOrDefault(e => e.Displayed));
            void Type(string css, string text) { var input = Find(css); input.Clear(); input.SendKeys(text); }
            void Shot(string name) => browser.GetScreenshot().SaveAsFile(Path.Combine(Artifacts, $"{name}.png"));

            browser.Navigate().GoToUrl(new Uri(Node.BaseAddress, "dashboard/"));
            Type("#login-user", "demo");
            Type("#login-password", "demo");
            Type("#login-project", "demo");
            Find("#login-form button[type=submit]").Click();
            Find("#instances");
            // Set once after login: still there at the end means the page never reloaded.
            browser.ExecuteScript("window.notReloaded = true;");

            // The page follows the tenant's event stream (it would poll a node without one).
            wait.Until(b => b.FindElement(By.TagName("body")).GetAttribute("data-live") == "stream");
            Find("a[href='#/create']").Click();
            Type("#create-name", "dash-e2e");
            Find("#create-flavor option[value=small]").Click();
            Find("#create-datastore option[value=postgresql]").Click();
            Find("#create-version option[value='15']").Click();
            Type("#create-volume", "0");
            Type("#create-database", "appdb");
            Type("#create-user", "app");
            Type("#create-password", PostgresInstanceTests.Password);
            Find("#create-form button[type=submit]").Click();
            // The API refuses the size; its message shows at the volume field, and nothing was created.
            var volumeError = wait.Until(_ => Find("#create-volume-error").Text is { Length: > 0 } text ? text : null);
            Assert.Contains("volume size '0'", volumeError);
            Assert.Equal("true", Find("#create-volume").GetAttribute("aria-invalid"));
            Shot("1-create-refused");

            Type("#create-volume", "1");
            Find("#create-form button[type=submit]").Click();
            wait.Until(b => b.Url.Contains("#/instances/"));
            id = browser.Url[(browser.Url.LastIndexOf('/') + 1)..];

            var slow = Waiting(browser, TimeSpan.FromSeconds(120));
            slow.Until(b => b.FindElement(By.CssSelector("#summary [data-field=status]")).Text == "ACTIVE");
            slow.Until(b => b.FindElement(By.CssSelector("#summary [data-field=operating_status]")).Text == "HEALTHY");
            Find("#databases td[data-database=appdb]");
            // It names the first user and database once both lists came (in either order).
            var connection = new System.Text.RegularExpressions.Regex(@"^postgresql://app@127\.42\.\d+\.\d+:5432/appdb$");
            slow.Until(b => connection.IsMatch(b.FindElement(By.Id("connection")).Text));
            Shot("2-instance-active");

            Type("#new-backup", "dash-backup");
            Find("#backups button[type=submit]").Click();
            slow.Until(b => b.FindElements(By.CssSelector("#backups [data-field=backup-status]")).FirstOrDefault()?.Text == "COMPLETED");
            Shot("3-backup-completed");

            Type("#new-user", "second");
            Type("#new-user-password", "second-pw-41");
            Type("#new-user-database", "appdb");
            Find("#users button[type=submit]").Click();
            Find("#users td[data-user=second]");
            Find("#users button[aria-label='Delete user second']").Click();
            wait.Until(b => b.FindElements(By.CssSelector("#users td[data-user=second]")).Count == 0);
            Type("#new-database", "scratch");
            Find("#databases button[type=submit]").Click();
            Find("#databases button[aria-label='Delete database scratch']").Click();
            wait.Until(b => b.FindElements(By.CssSelector("#databases td[data-database=scratch]")).Count == 0);
            Assert.DoesNotContain("scratch", await Node.Client("demo").GetStringAsync($"v1.0/demo/instances/{id}/databases"));
            Assert.DoesNotContain("\"second\"", await Node.Client("demo").GetStringAsync($"v1.0/demo/instances/{id}/users"));

            // Restart, then resize the volume and the flavor: each comes back ACTIVE, and the page shows the new sizes.
            Find("#restart").Click();
            await WaitForHistoryAsync(id, "restart_completed");
            slow.Until(b => b.FindElement(By.CssSelector("#summary [data-field=status]")).Text == "ACTIVE");
            Type("#resize-volume", "2");
            Find("#resize-volume-button").Click();
            slow.Until(b => b.FindElement(By.CssSelector("#summary [data-field=volume]")).Text.StartsWith("2 GB", StringComparison.Ordinal));
            slow.Until(b => b.FindElement(By.CssSelector("#summary [data-field=status]")).Text == "ACTIVE");
            Find("#resize-flavor option[value=medium]").Click();
            Find("#resize-flavor-button").Click();
            slow.Until(b => b.FindElement(By.CssSelector("#summary [data-field=flavor]")).Text == "medium"
                && b.FindElement(By.CssSelector("#summary [data-field=status]")).Text == "ACTIVE");
            Shot("3b-restarted-and-resized");

            // Restore the backup into a new instance: it comes up with the backed-up database, then goes.
            Find("#backups a[href^='#/create?backup=']").Click();
            Type("#create-name", "dash-restored");
            Assert.Equal("postgresql", Find("#create-datastore").GetAttribute("value"));
            Find("#create-form button[type=submit]").Click();
            wait.Until(b => b.Url.Contains("#/instances/") && !b.Url.EndsWith(id));
            var restored = browser.Url[(browser.Url.LastIndexOf('/') + 1)..];
            restoredId = restored;
            slow.Until(b => b.FindElement(By.CssSelector("#summary [data-field=status]")).Text == "ACTIVE");
            Find("#databases td[data-database=appdb]");
            Shot("4-restored");
            Find("#delete").Click();
            Find("#confirm-delete-button").Click();
            slow.Until(b => b.FindElements(By.CssSelector("#gone")).Count > 0);
            Find("#nav a[href='#/instances']").Click();
            Find($"a[href='#/instances/{id}']");
            wait.Until(b => b.FindElements(By.CssSelector($"tr[data-instance-id='{restored}']")).Count == 0);
            Find($"a[href='#/instances/{id}']").Click(); // found again: a live change may have redrawn its row
            Find("#summary [data-field=status]");

            Find("#delete").Click();
            Find("#confirm-delete-button").Click();
            slow.Until(b => b.FindElements(By.CssSelector("#gone")).Count > 0);
            Shot("5-deleted");
            Assert.Equal(true, browser.ExecuteScript("return window.notReloaded === true;"));
            Assert.Null(await Node.ShowAsync("demo", id));

            Find("#gone a[href='#/instances']").Click();
            Find("#instances");
            wait.Until(b => b.FindElements(By.CssSelector($"tr[data-instance-id='{id}']")).Count == 0);
        }
        catch
        {
            try { chromium.WebDriver.GetScreenshot().SaveAsFile(Path.Combine(Artifacts, "failed.png")); } catch (WebDriverException) { }
            foreach (var left in new[] { id, restoredId }.OfType<string>())
                await Node.Http.DeleteAsync($"v1.0/demo/instances/{left}");
            throw;
        }
        finally
        {
            var left = chromium.Quit();
            chromium.Dispose();
            Assert.True(left.Count == 0, $"Chromium processes still there after quitting: {string.Join(", ", left)}");
        }
    }

    private async Task WaitForHistoryAsync(string id, string type)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!(await Node.Client("demo").GetStringAsync($"v1.0/demo/instances/{id}/events?limit=1000")).Contains($"\"{type}\"", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no {type} in instance {id}'s history");
            await Task.Delay(250);
        }
    }
}
