using Blazor.Diagrams.Core.Geometry;
using Blazor.Diagrams.Core.Models;
using OneCard.Workflows;

namespace OneCard.Host.Components.Shared.Diagrams;

/// <summary>How a step is highlighted for a case.</summary>
public enum StepMark
{
    /// <summary>Not reached (or no case shown).</summary>
    None,

    /// <summary>The case has been in this step.</summary>
    Visited,

    /// <summary>The case is in this step now.</summary>
    Current,
}

/// <summary>A step's box on the diagram: locked and of fixed size, so nothing moves and links are drawn without measuring it in the browser.</summary>
public sealed class StepNodeModel : NodeModel
{
    public StepNodeModel(StepDefinition step, StepMark mark, Point position, Size size) : base(step.Name, position)
    {
        Step = step;
        Mark = mark;
        Size = size;
        Locked = true;
    }

    /// <summary>The step drawn.</summary>
    public StepDefinition Step { get; }

    /// <summary>Its highlight.</summary>
    public StepMark Mark { get; }
}
