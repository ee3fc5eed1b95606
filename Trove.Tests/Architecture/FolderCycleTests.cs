using ArchUnitNET.Domain;
using ArchUnitNET.Loader;
using ArchUnitNET.Fluent.Slices;
using ArchUnitNET.xUnit;
using Trove.Actors.Hosting;

namespace Trove.Tests.Architecture;

/// <summary>The folders of <c>Trove.Actors</c> (one namespace each) form layers: none depends, directly or around a
/// circle, on one that depends on it. A cycle makes two folders one thing that can only change together.</summary>
public sealed class FolderCycleTests
{
    private static readonly ArchUnitNET.Domain.Architecture Actors =
        new ArchLoader().LoadAssemblies(typeof(TroveSettings).Assembly).Build();

    [Fact]
    public void The_folders_of_the_actors_project_depend_on_each_other_without_cycles() =>
        SliceRuleDefinition.Slices().Matching("Trove.Actors.(*)").Should().BeFreeOfCycles().Check(Actors);
}
