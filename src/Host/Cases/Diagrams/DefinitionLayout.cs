using OneCard.Workflows;

namespace OneCard.Host.Cases.Diagrams;

/// <summary>Where one step is drawn: its layer (distance from the initial step), its place in the layer, and its top-left corner.</summary>
public sealed record LaidOutStep(StepDefinition Step, int Layer, int Slot, double X, double Y);

/// <summary>
/// One transition as drawn. <see cref="Bend"/> is set for an edge that goes back up or skips a layer, so that it
/// curves round the side instead of running through the steps between (and does not cover its opposite edge).
/// </summary>
public sealed record LaidOutTransition(TransitionDefinition Transition, (double X, double Y)? Bend);

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

    /// <summary>Room around the drawing, and for bent edges on the right.</summary>
    public const double Margin = 24, BendRoom = 120;

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

        // Bent edges fan out to the right of the steps they join, each a little further than the one before.
        var bends = 0;
        var transitions = definition.Transitions.Select(t =>
        {
            var (from, to) = (at[t.From], at[t.To]);
            if (to.Layer == from.Layer + 1)
            {
                return new LaidOutTransition(t, null);
            }

            bends++;
            var x = Math.Max(from.X, to.X) + NodeWidth + 24 + (bends - 1) % 4 * 22;
            var y = (from.Y + to.Y + NodeHeight) / 2;
            return new LaidOutTransition(t, (x, y));
        }).ToList();

        var width = Margin * 2 + contentWidth + (bends > 0 ? BendRoom : 0);
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
