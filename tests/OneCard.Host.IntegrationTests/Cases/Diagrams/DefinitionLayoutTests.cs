using OneCard.Host.Cases.Diagrams;
using OneCard.Workflows;

namespace OneCard.Host.IntegrationTests.Cases.Diagrams;

/// <summary>
/// Issue 6, item 7: the layered layout a definition is drawn with (breadth-first layers from the initial step, no two
/// steps on one another, back edges bent round the side) and the case path the diagram highlights. Pure: no host.
/// </summary>
public sealed class DefinitionLayoutTests
{
    private static readonly WorkflowCatalog Shipped = WorkflowCatalog.LoadFromDirectory(Path.Combine(AppContext.BaseDirectory, "workflows"));
    private static readonly WorkflowDefinition StandardV2 = Shipped.Get("standard-subsidy", 2);

    [Fact]
    public void Layout_PutsEachStepInItsBreadthFirstLayer_FromTheInitialStep()
    {
        var layout = DefinitionLayout.For(StandardV2);

        var layers = layout.Steps.GroupBy(s => s.Layer).OrderBy(g => g.Key)
            .Select(g => string.Join(",", g.OrderBy(s => s.Slot).Select(s => s.Step.Name))).ToList();
        Assert.Equal(
        [
            "TownshipReview",
            "CountyReview,Returned,Rejected",
            "SampleCheck,Withdrawn",
            "Publicity",
            "ObjectionReview,FinanceRecheck",
            "Payment",
            "Publicized",
        ], layers);
        Assert.True(layout["TownshipReview"].Y < layout["CountyReview"].Y && layout["CountyReview"].Y < layout["Publicized"].Y);
    }

    [Theory]
    [InlineData("standard-subsidy", 1)]
    [InlineData("standard-subsidy", 2)]
    public void Layout_DrawsEveryStepOnce_NoTwoOverlapping_AllInsideTheDrawing(string id, int version)
    {
        var definition = Shipped.Get(id, version);
        var layout = DefinitionLayout.For(definition);

        Assert.Equal(definition.Steps.Select(s => s.Name), layout.Steps.Select(s => s.Step.Name));
        foreach (var a in layout.Steps)
        {
            Assert.InRange(a.X, 0, layout.Width - DefinitionLayout.NodeWidth);
            Assert.InRange(a.Y, 0, layout.Height - DefinitionLayout.NodeHeight);
            foreach (var b in layout.Steps.Where(b => b != a))
            {
                var apart = Math.Abs(a.X - b.X) >= DefinitionLayout.NodeWidth || Math.Abs(a.Y - b.Y) >= DefinitionLayout.NodeHeight;
                Assert.True(apart, $"{a.Step.Name} and {b.Step.Name} overlap");
            }
        }
    }

    [Fact]
    public void Layout_RoutesEdgesThatGoBackOrStayInALayer_ThroughNoStep_AndDrawsEdgesToTheNextLayerStraight()
    {
        var layout = DefinitionLayout.For(StandardV2);
        LaidOutTransition Edge(string from, string action, string to) =>
            layout.Transitions.Single(t => (t.Transition.From, t.Transition.Action, t.Transition.To) == (from, action, to));

        Assert.False(Edge("TownshipReview", "Approve", "CountyReview").IsRouted);
        Assert.False(Edge("TownshipReview", "Return", "Returned").IsRouted);
        Assert.True(Edge("Returned", "Resubmit", "TownshipReview").IsRouted);
        Assert.True(Edge("CountyReview", "Reject", "Rejected").IsRouted);
        // Back three layers: up a gutter right of every step.
        var back = Edge("FinanceRecheck", "Return", "CountyReview");
        Assert.Equal(4, back.Route.Count);
        Assert.All(back.Route.Skip(1).Take(2), p => Assert.True(p.X > layout.Steps.Max(s => s.X) + DefinitionLayout.NodeWidth));
        Assert.Equal(StandardV2.Transitions.Count, layout.Transitions.Count);

        // No route point lies inside a step's box.
        foreach (var (t, point) in layout.Transitions.SelectMany(t => t.Route.Select(p => (t.Transition, p))))
        {
            Assert.InRange(point.X, 0, layout.Width);
            Assert.InRange(point.Y, 0, layout.Height);
            var inside = layout.Steps.FirstOrDefault(s => point.X > s.X && point.X < s.X + DefinitionLayout.NodeWidth
                                                         && point.Y > s.Y && point.Y < s.Y + DefinitionLayout.NodeHeight);
            Assert.True(inside is null, $"{t.From} {t.Action} → {t.To} passes inside {inside?.Step.Name}");
        }
    }

    [Fact]
    public void CasePath_MarksStepsBeenIn_AndTransitionsTaken_NotTheSubmissionAsATransition()
    {
        var path = CasePath.From("TownshipReview",
        [
            ("", "Submit", "TownshipReview"),
            ("TownshipReview", "Approve", "CountyReview"),
            ("CountyReview", "Return", "TownshipReview"),
        ]);

        Assert.Equal("TownshipReview", path.Current);
        Assert.Equal(["CountyReview", "TownshipReview"], path.Visited.Order(StringComparer.Ordinal));
        Assert.Equal([("CountyReview", "Return", "TownshipReview"), ("TownshipReview", "Approve", "CountyReview")],
            path.Taken.Order());
        Assert.DoesNotContain(path.Taken, t => t.Action == "Submit");
    }

    [Fact]
    public void CasePath_KeyIsTheSame_ForTheSamePathInAnotherOrder_AndDiffersWhenTheCaseMoves()
    {
        (string, string, string)[] events = [("", "Submit", "TownshipReview"), ("TownshipReview", "Approve", "CountyReview")];

        var a = CasePath.From("CountyReview", events);
        var b = CasePath.From("CountyReview", events.Reverse());
        var moved = CasePath.From("SampleCheck", [.. events, ("CountyReview", "Approve", "SampleCheck")]);

        Assert.Equal(a.Key, b.Key);
        Assert.NotEqual(a.Key, moved.Key);
        Assert.Null(CasePath.None.Current);
        Assert.Empty(CasePath.None.Visited);
    }
}
