namespace OneCard.Workflows;

/// <summary>One row of the transition table: action <see cref="Action"/> in step <see cref="From"/> leads to <see cref="To"/>.</summary>
/// <param name="From">The step the case is in.</param>
/// <param name="Action">The action's name (e.g. "Approve"); several rows may share it when their guards differ.</param>
/// <param name="To">The step the case moves to.</param>
/// <param name="Role">The role an actor must hold to fire it; null means only <see cref="Actor.System"/> may fire it.</param>
/// <param name="Guard">A named condition the host evaluates (e.g. "NoOpenObjections"); null for none.</param>
/// <param name="CommentRequired">True when the actor must give a non-blank comment (e.g. a reason for returning).</param>
public sealed record TransitionDefinition(string From, string Action, string To, string? Role, string? Guard, bool CommentRequired)
{
    /// <summary>True when only the system may fire this action.</summary>
    public bool IsSystemOnly => Role is null;
}
