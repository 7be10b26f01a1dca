using System.Globalization;
using System.Net;
using System.Text;

namespace FairDelegation.Node.Dashboard;

/// <summary>
/// A bar chart as inline SVG, drawn on the server (no script, no chart library): one bar per item with its value
/// written above it, scaled to the largest. The SVG has role="img", a title and a description; the page also gives the
/// numbers as a table for screen readers.
/// </summary>
public static class SvgBarChart
{
    public static string Render(string title, string description, IReadOnlyList<ChartBar> bars, string cssClass = "chart")
    {
        const int height = 220, top = 24, bottom = 40, left = 8, right = 8;
        // A fixed drawing width (the page scales it): few bars stay slim, many bars get narrower.
        const int width = 720;
        var slot = bars.Count == 0 ? width : (width - left - right) / (double)bars.Count;
        var barWidth = Math.Min(90, slot * 0.7);
        var gap = slot - barWidth;
        var max = bars.Count == 0 ? 1 : Math.Max(1e-9, bars.Max(b => b.Value));
        var plot = height - top - bottom;
        var id = "c" + Math.Abs(StringComparer.Ordinal.GetHashCode(title)).ToString(CultureInfo.InvariantCulture);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg class=\"{cssClass}\" role=\"img\" aria-labelledby=\"{id}t {id}d\" viewBox=\"0 0 {width} {height}\" preserveAspectRatio=\"xMinYMin meet\" xmlns=\"http://www.w3.org/2000/svg\">");
        svg.Append(CultureInfo.InvariantCulture, $"<title id=\"{id}t\">{E(title)}</title><desc id=\"{id}d\">{E(description)}</desc>");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{height - bottom}\" x2=\"{width - right}\" y2=\"{height - bottom}\" class=\"axis\"/>");
        if (bars.Count == 0)
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{width / 2}\" y=\"{height / 2}\" text-anchor=\"middle\" class=\"empty\">no data yet</text>");
        var labelEvery = bars.Count > 12 ? 5 : 1;
        for (var i = 0; i < bars.Count; i++)
        {
            var b = bars[i];
            var h = b.Value <= 0 ? 0 : Math.Max(1, b.Value / max * plot);
            var x = left + i * (barWidth + gap) + gap / 2;
            var y = height - bottom - h;
            svg.Append(CultureInfo.InvariantCulture,
                $"<rect x=\"{x:0.#}\" y=\"{y:0.#}\" width=\"{barWidth:0.#}\" height=\"{h:0.#}\" class=\"bar\"><title>{E(b.Label)}: {E(b.ValueText)}</title></rect>");
            if (b.Value > 0 || bars.Count <= 12)
                svg.Append(CultureInfo.InvariantCulture,
                    $"<text x=\"{x + barWidth / 2:0.#}\" y=\"{y - 6:0.#}\" text-anchor=\"middle\" class=\"value\">{E(Compact(b))}</text>");
            if (i % labelEvery == 0)
                svg.Append(CultureInfo.InvariantCulture,
                    $"<text x=\"{x + barWidth / 2:0.#}\" y=\"{height - bottom + 16}\" text-anchor=\"middle\" class=\"label\">{E(b.Label)}</text>");
        }
        svg.Append("</svg>");
        return svg.ToString();
    }

    private static string Compact(ChartBar b) => b.Value >= 10_000 ? $"{b.Value / 1000:0.#}k" : b.Value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
