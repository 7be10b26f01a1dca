using System.CommandLine;
using System.Text.Json;
using FairDelegation.Cli.Api;

namespace FairDelegation.Cli.Commands;

/// <summary>`fairdelegation status &lt;id&gt;`: a delegation's state from the customer node's API.</summary>
public static class StatusCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "The delegation's id (customer-... or the id given at start)" };
        var node = NodeApiOptions.Node();
        var key = NodeApiOptions.ApiKey();
        var json = new Option<bool>("--json") { Description = "Print the API's JSON as is" };
        var command = new Command("status", "Show a delegation: runtime status, current step, terms, transactions, outcome");
        command.Arguments.Add(id);
        foreach (var o in new Option[] { node, key, json }) command.Options.Add(o);
        command.SetAction(async (parse, ct) =>
        {
            using var client = new NodeApiClient(parse.GetValue(node)!, parse.GetValue(key));
            var view = await client.GetAsync(parse.GetValue(id)!, ct);
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(view, new JsonSerializerOptions { WriteIndented = true }));
            else Print(view, Console.Out);
            return 0;
        });
        return command;
    }

    /// <summary>A delegation view as a few aligned lines.</summary>
    public static void Print(JsonElement view, TextWriter output)
    {
        string? S(string name) => view.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
        output.WriteLine($"delegation  {S("id")}");
        output.WriteLine($"status      {S("runtimeStatus")}{(S("outcome") is { } o ? $" / {o}" : "")}");
        output.WriteLine($"step        {DelegationFollower.Describe(view)}");
        output.WriteLine($"service     {S("service")} at {S("providerUrl")}");
        // A token wage is counted in the token's smallest units, not wei.
        var unit = S("currency") is { } cur && !cur.Equals("ETH", StringComparison.OrdinalIgnoreCase) ? $"units of token {cur}" : "wei";
        output.WriteLine($"wage        {(S("wageWei") is { } w ? $"{w} {unit} agreed" : $"at most {S("maxWageWei")} {unit}")}");
        if (view.TryGetProperty("market", out var m) && m.ValueKind == JsonValueKind.Object)
        {
            // Chosen in the market: who, why, and every quote considered.
            output.WriteLine($"market      {m.GetProperty("why").GetString()}");
            foreach (var q in m.GetProperty("quotes").EnumerateArray())
            {
                string? Q(string name) => q.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
                var mark = q.TryGetProperty("chosen", out var c) && c.GetBoolean() ? "*" : " ";
                output.WriteLine($"  quote {mark} {Q("provider")} score {q.GetProperty("score").GetDouble():0.000}: " +
                                 (Q("wage") is { } qw ? $"{qw} {unit}, expires {q.GetProperty("expiresAt")}, signed {Q("signature")?[..18]}…" : Q("failure")));
            }
            foreach (var x in m.GetProperty("leftOut").EnumerateArray()) output.WriteLine($"  left out  {x.GetString()}");
        }
        if (S("agreementId") is { } a) output.WriteLine($"agreement   {a}");
        if (S("workHash") is { } h) output.WriteLine($"work hash   {h}");
        foreach (var t in view.GetProperty("transactions").EnumerateArray())
            output.WriteLine($"transaction {t.GetProperty("step").GetString(),-12} {t.GetProperty("hash").GetString()}  gas {t.GetProperty("gasUsed").GetString()}  fee {t.GetProperty("feeWei").GetString()} wei");
        if (S("reason") is { } r) output.WriteLine($"reason      {r}");
        if (S("resultUri") is { } u) output.WriteLine($"result      {u}");
        output.WriteLine($"created     {view.GetProperty("createdAt")}  updated {view.GetProperty("lastUpdatedAt")}");
    }
}
