namespace Trove.Tests.Support;

public static class Poll
{
    /// <summary>Asks <paramref name="condition"/> again every 100 ms until it holds; fails naming <paramref name="what"/>
    /// after <paramref name="seconds"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"waited in vain for {what}");
            await Task.Delay(100);
        }
    }
}
