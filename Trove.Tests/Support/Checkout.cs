namespace Trove.Tests.Support;

/// <summary>The checkout the tests were built from.</summary>
public static class Checkout
{
    /// <summary>The folder of Trove.sln above the test assembly.</summary>
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
            if (File.Exists(Path.Combine(dir, "Trove.sln")))
                return dir;
        throw new InvalidOperationException($"no Trove.sln above {AppContext.BaseDirectory}");
    }
}
