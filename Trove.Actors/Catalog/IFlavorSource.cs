namespace Trove.Actors.Catalog;

/// <summary>A compute driver whose cloud has flavors of its own (Nova): Trove serves exactly those.</summary>
public interface IFlavorSource
{
    Task<IReadOnlyList<Flavor>> FlavorsAsync(CancellationToken ct);
}
