using OneCard.Workflows;

namespace OneCard.Host.Cases.Diagrams;

/// <summary>Where one step is drawn: its layer (distance from the initial step), its place in the layer, and its top-left corner.</summary>
public sealed record LaidOutStep(StepDefinition Step, int Layer, int Slot, double X, double Y);

/// <summary>
/// One transition as drawn: straight from step to step when it goes to the next layer down (<see cref="Route"/> empty),
/// else through the points of <see cref="Route"/>, which keep it in the gaps between layers and in a gutter on the right,
/// so that it runs through no step and does not cover its opposite edge.
/// </summary>
public sealed record LaidOutTransition(TransitionDefinition Transition, IReadOnlyList<(double X, double Y)> Route)
{
    /// <summary>True when the edge is drawn through <see cref="Route"/> rather than straight.</summary>
    public bool IsRouted => Route.Count > 0;
}

/// <summary>
/// A layered top-down layout of a workflow definition (流程图): layers by breadth-first distance from the initial step,
/// steps in a layer ordered next to their predecessors and centred. Pure, so that it is tested without a browser.
/// </summary>
public sealed class DefinitionLayout
{
    /// <summary>Size of a step's box, in pixels.</summary>
    public const double NodeWidth = 170, NodeHeight = 72;

    /// <summary>Distance between the left edges of neighbouring steps, and between the tops of neighbouring layers.</summary>
    public const double ColumnPitch = 220, LayerPitch = 130;

    /// <summary>Room around the drawing; the gutter's distance from the steps and between two routed edges in it; room for a label there.</summary>
    public const double Margin = 24, GutterGap = 24, GutterPitch = 14, LabelRoom = 80;

    /// <summary>Sideways shift of an edge going back to the layer just above, so that it runs beside the edge coming down.</summary>
    public const double BesideShift = 64;

    private DefinitionLayout(IReadOnlyList<LaidOutStep> steps, IReadOnlyList<LaidOutTransition> transitions, double width, double height)
    {
        Steps = steps;
        Transitions = transitions;
        Width = width;
        Height = height;
    }

    /// <summary>Every step of the definition, in the definition's file order.</summary>
    public IReadOnlyList<LaidOutStep> Steps { get; }

    /// <summary>Every transition, in the definition's file order.</summary>
    public IReadOnlyList<LaidOutTransition> Transitions { get; }

    /// <summary>Size of the whole drawing in pixels.</summary>
    public double Width { get; }

    /// <inheritdoc cref="Width"/>
    public double Height { get; }

    /// <summary>The laid-out step named <paramref name="name"/>.</summary>
    public LaidOutStep this[string name] => Steps.Single(s => s.Step.Name == name);

    /// <summary>Lays out <paramref name="definition"/>.</summary>
    public static DefinitionLayout For(WorkflowDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var layerOf = Layers(definition);
        var order = definition.Steps.Select((s, i) => (s.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);

        // Within a layer: by the slot of the first predecessor in the layer above (fewer crossings), then by the first
        // transition into it (a step's first action is its usual way on, e.g. Approve before Return), then file order.
        var slotOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var layers = definition.Steps.GroupBy(s => layerOf[s.Name]).OrderBy(g => g.Key).ToList();
        foreach (var layer in layers)
        {
            var into = definition.Transitions.Select((t, i) => (t, i))
                .Where(p => layerOf[p.t.From] == layer.Key - 1 && slotOf.ContainsKey(p.t.From)).ToList();
            var ordered = layer
                .OrderBy(s => into.Where(p => p.t.To == s.Name).Select(p => slotOf[p.t.From]).DefaultIfEmpty(int.MaxValue).Min())
                .ThenBy(s => into.Where(p => p.t.To == s.Name).Select(p => p.i).DefaultIfEmpty(int.MaxValue).Min())
                .ThenBy(s => order[s.Name])
                .ToList();
            for (var i = 0; i < ordered.Count; i++)
            {
                slotOf[ordered[i].Name] = i;
            }
        }

        var widest = layers.Max(l => l.Count());
        var contentWidth = (widest - 1) * ColumnPitch + NodeWidth;
        var placed = definition.Steps.Select(s =>
        {
            var layer = layerOf[s.Name];
            var count = layers.Single(l => l.Key == layer).Count();
            var left = Margin + (contentWidth - ((count - 1) * ColumnPitch + NodeWidth)) / 2;
            return new LaidOutStep(s, layer, slotOf[s.Name], left + slotOf[s.Name] * ColumnPitch, Margin + layer * LayerPitch);
        }).ToList();
        var at = placed.ToDictionary(p => p.Step.Name, StringComparer.Ordinal);

        // Edges that do not go one layer down leave and enter their steps through the gaps between layers; those that
        // cross layers run down or up a gutter right of the steps, each in its own lane.
        var gutter = Margin + contentWidth + GutterGap;
        var lanes = 0;
        var gap = LayerPitch - NodeHeight;
        var transitions = definition.Transitions.Select(t =>
        {
            var (from, to) = (at[t.From], at[t.To]);
            var (fromX, toX) = (from.X + NodeWidth / 2, to.X + NodeWidth / 2);
            var below = (LaidOutStep s, double lane) => s.Y + NodeHeight + gap / 2 + lane;
            var above = (LaidOutStep s, double lane) => s.Y - gap / 2 - lane;
            IReadOnlyList<(double, double)> route = (to.Layer - from.Layer) switch
            {
                1 => [],
                // The layer just above: beside the edge that comes down, through the gap between them.
                -1 => [(Math.Min(fromX, toX) + (Math.Abs(fromX - toX) / 2) + BesideShift, (from.Y + to.Y + NodeHeight) / 2)],
                // Within a layer: under the steps, through the gap below.
                0 => [(fromX, below(from, -6)), (toX, below(to, -6))],
                > 1 => Down(lanes++),
                _ => Up(lanes++),
            };
            return new LaidOutTransition(t, route);

            // Each lane also a little lower in the gaps, so that two routed edges never share a segment.
            IReadOnlyList<(double, double)> Down(int lane)
            {
                var (x, dy) = (gutter + lane * GutterPitch, 6 + lane % 5 * 4);
                return [(fromX, below(from, dy)), (x, below(from, dy)), (x, above(to, -dy)), (toX, above(to, -dy))];
            }

            IReadOnlyList<(double, double)> Up(int lane)
            {
                var (x, dy) = (gutter + lane * GutterPitch, 6 + lane % 5 * 4);
                return [(fromX + BesideShift / 2, above(from, -dy)), (x, above(from, -dy)), (x, below(to, dy)), (toX + BesideShift / 2, below(to, dy))];
            }
        }).ToList();

        var width = Margin * 2 + contentWidth + (lanes > 0 ? GutterGap + (lanes - 1) * GutterPitch + LabelRoom : 0);
        var height = Margin * 2 + (layers.Count - 1) * LayerPitch + NodeHeight;
        return new DefinitionLayout(placed, transitions, width, height);
    }

    /// <summary>Breadth-first distance of each step from the initial step; steps it never reaches go one layer below the rest.</summary>
    private static Dictionary<string, int> Layers(WorkflowDefinition definition)
    {
        var layerOf = new Dictionary<string, int>(StringComparer.Ordinal) { [definition.InitialStep] = 0 };
        var queue = new Queue<string>([definition.InitialStep]);
        while (queue.TryDequeue(out var step))
        {
            foreach (var next in definition.Transitions.Where(t => t.From == step).Select(t => t.To))
            {
                if (layerOf.TryAdd(next, layerOf[step] + 1))
                {
                    queue.Enqueue(next);
                }
            }
        }

        var below = layerOf.Values.Max() + 1;
        foreach (var step in definition.Steps.Where(s => !layerOf.ContainsKey(s.Name)))
        {
            layerOf[step.Name] = below;
        }

        return layerOf;
    }
}
