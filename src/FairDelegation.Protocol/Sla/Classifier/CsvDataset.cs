using System.Globalization;
using System.Text;

namespace FairDelegation.Protocol.Sla.Classifier;

/// <summary>
/// A labelled numeric dataset read from CSV: a header row, comma-separated numeric feature columns (invariant
/// culture), one label column (any text). Blank lines are skipped; quoting is not supported (numbers need none).
/// </summary>
public sealed class CsvDataset
{
    private CsvDataset(IReadOnlyList<string> features, string labelColumn, double[][] rows, string[] labels)
    {
        Features = features;
        LabelColumn = labelColumn;
        Rows = rows;
        Labels = labels;
    }

    public IReadOnlyList<string> Features { get; }
    public string LabelColumn { get; }
    public IReadOnlyList<double[]> Rows { get; }
    public IReadOnlyList<string> Labels { get; }
    public int Count => Labels.Count;

    public static CsvDataset Parse(string csv, string labelColumn = "label") =>
        Read(new StringReader(csv), labelColumn);

    public static CsvDataset Parse(byte[] utf8, string labelColumn = "label") =>
        Read(new StringReader(Encoding.UTF8.GetString(utf8)), labelColumn);

    public static CsvDataset Read(TextReader reader, string labelColumn = "label")
    {
        var header = reader.ReadLine() ?? throw new FormatException("dataset is empty (no header row)");
        var columns = header.Split(',').Select(c => c.Trim()).ToArray();
        var labelIndex = Array.IndexOf(columns, labelColumn);
        if (labelIndex < 0) throw new FormatException($"dataset has no label column '{labelColumn}'");
        var features = columns.Where((_, i) => i != labelIndex).ToArray();
        var rows = new List<double[]>();
        var labels = new List<string>();
        var lineNumber = 1;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (line.Trim().Length == 0) continue;
            var cells = line.Split(',');
            if (cells.Length != columns.Length)
                throw new FormatException($"dataset line {lineNumber} has {cells.Length} columns, the header has {columns.Length}");
            var row = new double[features.Length];
            for (int c = 0, f = 0; c < cells.Length; c++)
            {
                if (c == labelIndex) continue;
                if (!double.TryParse(cells[c].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out row[f]) || !double.IsFinite(row[f]))
                    throw new FormatException($"dataset line {lineNumber}, column '{columns[c]}': '{cells[c].Trim()}' is not a number");
                f++;
            }
            rows.Add(row);
            labels.Add(cells[labelIndex].Trim());
        }
        return new CsvDataset(features, labelColumn, rows.ToArray(), labels.ToArray());
    }

    /// <summary>The rows with their columns arranged in the given feature order (a model may list them differently).</summary>
    public double[][] RowsInOrder(IReadOnlyList<string> featureOrder)
    {
        var map = featureOrder.Select(name =>
        {
            var i = Features.ToList().IndexOf(name);
            return i >= 0 ? i : throw new FormatException($"dataset has no feature column '{name}' that the model uses");
        }).ToArray();
        return Rows.Select(r => map.Select(i => r[i]).ToArray()).ToArray();
    }

    /// <summary>Writes the dataset back as CSV (features then label), e.g. to split a set.</summary>
    public static string ToCsv(IReadOnlyList<string> features, IEnumerable<(double[] Row, string Label)> rows, string labelColumn = "label")
    {
        var sb = new StringBuilder();
        sb.AppendJoin(',', features).Append(',').Append(labelColumn).Append('\n');
        foreach (var (row, label) in rows)
        {
            sb.AppendJoin(',', row.Select(v => v.ToString("R", CultureInfo.InvariantCulture))).Append(',').Append(label).Append('\n');
        }
        return sb.ToString();
    }
}
