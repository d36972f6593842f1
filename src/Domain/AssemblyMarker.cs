namespace OneCard.Domain;

/// <summary>Marks the assembly for scanning and tests.</summary>
public static class AssemblyMarker;
