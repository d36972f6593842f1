using static OneCard.Workflows.WorkflowDefinitionErrorCodes;

namespace OneCard.Workflows;

/// <summary>Every shipped workflow definition, looked up by id and version; immutable once loaded.</summary>
public sealed class WorkflowCatalog
{
    private readonly Dictionary<(string Id, int Version), WorkflowDefinition> _byKey;

    private WorkflowCatalog(IEnumerable<WorkflowDefinition> definitions)
    {
        All = [.. definitions.OrderBy(d => d.DefinitionId, StringComparer.Ordinal).ThenBy(d => d.Version)];
        _byKey = All.ToDictionary(d => (d.DefinitionId, d.Version));
    }

    /// <summary>All definitions, ordered by id then version.</summary>
    public IReadOnlyList<WorkflowDefinition> All { get; }

    /// <summary>
    /// Loads every <c>*.json</c> file of <paramref name="path"/> (not subfolders) except the published schema (<c>*.schema.json</c>) and the calendar's old file.
    /// A file must be named <c>{definitionId}.v{version}.json</c>, so that a copied file whose content was not updated is caught.
    /// </summary>
    /// <exception cref="WorkflowDefinitionException">Any file is invalid, misnamed, or repeats an id and version;
    /// the errors of all files are reported together.</exception>
    /// <exception cref="DirectoryNotFoundException"><paramref name="path"/> does not exist.</exception>
    /// <summary>The calendar's old place in this folder, skipped so that stale build outputs still start.</summary>
    public const string MovedCalendarFile = "calendar-cn.json";

    public static WorkflowCatalog LoadFromDirectory(string path)
    {
        var files = Directory.GetFiles(path, "*.json", SearchOption.TopDirectoryOnly)
            .Where(f => !Path.GetFileName(f).EndsWith(".schema.json", StringComparison.OrdinalIgnoreCase))
            // The calendar moved to data/; a build output made before the move still holds workflows/calendar-cn.json.
            .Where(f => !Path.GetFileName(f).Equals(MovedCalendarFile, StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal);
        var errors = new List<WorkflowDefinitionError>();
        var definitions = new Dictionary<(string, int), (WorkflowDefinition Definition, string File)>();
        foreach (var file in files)
        {
            WorkflowDefinition definition;
            try
            {
                definition = WorkflowDefinitionLoader.Load(File.ReadAllText(file), file);
            }
            catch (WorkflowDefinitionException ex)
            {
                errors.AddRange(ex.Errors);
                continue;
            }

            var expected = $"{definition.DefinitionId}.v{definition.Version}.json";
            if (!string.Equals(Path.GetFileName(file), expected, StringComparison.Ordinal))
            {
                errors.Add(new WorkflowDefinitionError(file, "$", DuplicateVersion,
                    $"文件名应为 {expected}，与 definitionId 和 version 一致。",
                    $"The file should be named {expected}, after its definitionId and version."));
            }
            else if (!definitions.TryAdd((definition.DefinitionId, definition.Version), (definition, file)))
            {
                var other = definitions[(definition.DefinitionId, definition.Version)].File;
                errors.Add(new WorkflowDefinitionError(file, "$", DuplicateVersion,
                    $"{definition.VersionKey} 已由 {other} 定义。", $"{definition.VersionKey} is already defined by {other}."));
            }
        }

        return errors.Count > 0
            ? throw new WorkflowDefinitionException(errors)
            : new WorkflowCatalog(definitions.Values.Select(v => v.Definition));
    }

    /// <summary>A catalog of already-loaded definitions (e.g. for tests).</summary>
    /// <exception cref="ArgumentException">Two definitions share an id and version.</exception>
    public static WorkflowCatalog From(IEnumerable<WorkflowDefinition> definitions)
    {
        var list = definitions.ToList();
        var duplicate = list.GroupBy(d => d.VersionKey).FirstOrDefault(g => g.Count() > 1);
        return duplicate is null
            ? new WorkflowCatalog(list)
            : throw new ArgumentException($"{duplicate.Key} is given more than once.", nameof(definitions));
    }

    /// <summary>The definition <paramref name="definitionId"/> at exactly <paramref name="version"/> (what a case pinned).</summary>
    /// <exception cref="WorkflowException">Code <see cref="WorkflowErrorCodes.DefinitionNotFound"/>.</exception>
    public WorkflowDefinition Get(string definitionId, int version) =>
        _byKey.GetValueOrDefault((definitionId, version)) ?? throw new WorkflowException(
            WorkflowErrorCodes.DefinitionNotFound, $"Workflow definition {definitionId}@{version} is not in the catalog.");

    /// <summary>The highest version of <paramref name="definitionId"/> (what a new case starts under).</summary>
    /// <exception cref="WorkflowException">Code <see cref="WorkflowErrorCodes.DefinitionNotFound"/>.</exception>
    public WorkflowDefinition Latest(string definitionId) =>
        All.LastOrDefault(d => d.DefinitionId == definitionId) ?? throw new WorkflowException(
            WorkflowErrorCodes.DefinitionNotFound, $"Workflow definition {definitionId} is not in the catalog.");
}
