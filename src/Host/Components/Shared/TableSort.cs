using AntDesign;
using AntDesign.TableModels;

namespace OneCard.Host.Components.Shared;

/// <summary>
/// Column-header sorting for the server-side lists (the inbox, the application list): a click on a sortable column's header
/// becomes the list's <c>sort</c> key in the URL ("payable", "-payable"), the same key the sort drop-down and the API take, and
/// the header shows the arrow of the sort in the URL.
/// </summary>
public static class TableSort
{
    /// <summary>
    /// The sort a table change asks for: the sorted column's key, with "-" when descending. <paramref name="current"/> when the
    /// change is not the user's (the table reports the sort it was given) or when no column is sorted and the current sort is
    /// none of the columns' (e.g. "due" from the drop-down); <paramref name="fallback"/> when the user cleared a column's sort.
    /// </summary>
    /// <param name="keys">Column field name (the property, e.g. "PayableAmount") → sort key ("payable").</param>
    public static string ChangedTo<T>(QueryModel<T> query, IReadOnlyDictionary<string, string> keys, string current, string fallback)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(keys);
        var sorted = query.SortModel.Where(s => s.SortDirection != SortDirection.None && s.FieldName is not null && keys.ContainsKey(s.FieldName))
            .OrderBy(s => s.Priority).FirstOrDefault();
        if (sorted is not null) return sorted.SortDirection == SortDirection.Descending ? "-" + keys[sorted.FieldName] : keys[sorted.FieldName];
        return keys.Values.Contains(current.TrimStart('-')) ? fallback : current;
    }

    /// <summary>The arrow a column with <paramref name="key"/> shows under the sort <paramref name="current"/>; none when it is another column's.</summary>
    public static SortDirection? OrderOf(string current, string key) =>
        current == key ? SortDirection.Ascending : current == "-" + key ? SortDirection.Descending : null;

    /// <summary>A column's compare that keeps the rows in the server's order: the page holds one page of a sorted list, never the whole.</summary>
    public static int Server<T>(T x, T y) => 0;
}
