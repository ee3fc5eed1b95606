namespace Trove.Bench;

/// <summary>The ids of seeded instances: the seeder and the load generators agree on them without talking.</summary>
public static class SeededIds
{
    public static string Of(int i) => $"00000000-0000-4000-8000-{i:D12}";
}
