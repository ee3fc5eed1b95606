using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestCollectionOrderer("Trove.Tests.Support.LongestCollectionsFirst", "Trove.Tests")]

namespace Trove.Tests.Support;

/// <summary>
/// Starts the test collections that take longest first: xUnit runs as many collections at once as there are cores, in
/// this order, so a long one started last runs alone at the end while the other cores idle (the published guest's, 100 s
/// of a 35 min run). A collection's length is estimated from its test cases: an end-to-end or cluster case takes tens of
/// seconds (real nodes, guests, engines), one against a real process or cloud ~10 s, a manager's ~3 s, the rest ~1 s.
/// </summary>
public sealed class LongestCollectionsFirst : ITestCollectionOrderer
{
    private static readonly Dictionary<string, int> SecondsPerCase = new()
    {
        ["EndToEnd"] = 30, ["Cluster"] = 30, ["Dashboard"] = 30,
        ["Observability"] = 10, ["OpenStack"] = 10, ["GuestImages"] = 10,
        ["Guest"] = 3,
    };

    private static readonly Lazy<Dictionary<string, int>> Estimates = new(EstimateCollections);

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections.OrderByDescending(c => Estimates.Value.GetValueOrDefault(c.DisplayName)).ThenBy(c => c.DisplayName, StringComparer.Ordinal);

    /// <summary>Estimated seconds per collection, by the collection's display name (its name, or xUnit's
    /// "Test collection for" its class).</summary>
    private static Dictionary<string, int> EstimateCollections() =>
        typeof(LongestCollectionsFirst).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false })
            .Select(t => (Collection: CollectionOf(t), Seconds: Cases(t) * SecondsPerCase.GetValueOrDefault(t.Namespace?.Split('.').ElementAtOrDefault(2) ?? "", 1)))
            .Where(t => t.Seconds > 0)
            .GroupBy(t => t.Collection)
            .ToDictionary(g => g.Key, g => g.Sum(t => t.Seconds));

    private static string CollectionOf(Type type) =>
        type.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType == typeof(CollectionAttribute))?.ConstructorArguments[0].Value as string
        ?? $"Test collection for {type.FullName}";

    /// <summary>A fact is one case, a theory one per row of inline data (at least one).</summary>
    private static int Cases(Type type) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.IsDefined(typeof(FactAttribute)))
            .Sum(m => Math.Max(1, m.GetCustomAttributes<InlineDataAttribute>().Count()));
}
