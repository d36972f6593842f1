namespace OneCard.Persistence;

/// <summary>Marks the assembly for scanning and tests.</summary>
public static class AssemblyMarker;
