using System.CommandLine;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using FairDelegation.Chain.Crypto;
using FairDelegation.Cli.Api;

namespace FairDelegation.Cli.Commands;

/// <summary>
/// `fairdelegation delegate`: starts a delegation through a customer node's API (POST /api/delegations) and follows it
/// step by step until it ends; writes the decrypted work to --output when it completes.
/// </summary>
public static class DelegateCommand
{
    public static Command Create()
    {
        var node = NodeApiOptions.Node();
        var key = NodeApiOptions.ApiKey();
        var provider = new Option<string?>("--provider")
        {
            Description = "The provider node's base URL; leave it out to let the node's market choose (by --service and --wage, among the registry's providers)",
        };
        var service = new Option<string>("--service") { Description = "The service to run", DefaultValueFactory = _ => "train-classifier" };
        var input = new Option<FileInfo>("--input") { Description = "The input file sent to the provider", Required = true };
        var wage = new Option<string>("--wage")
        {
            Description = "wage_c: the most you pay, in wei (decimal), or in the token's smallest units with --currency <token>; in the market, the most any provider may quote",
            Required = true,
        };
        var currency = new Option<string>("--currency")
        {
            Description = "The wage's currency: ETH, or an ERC-20 token address (the escrow holds the tokens; the node approves the escrow first)",
            DefaultValueFactory = _ => "ETH",
        };
        var sla = new Option<string?>("--sla") { Description = "The SLA as JSON, or @file.json (e.g. {\"kind\":\"max-bytes\",\"maxBytes\":1000})" };
        var minAccuracy = new Option<double?>("--min-accuracy") { Description = "Shortcut: the classifier-accuracy SLA with this least accuracy on --test-set" };
        var testSet = new Option<FileInfo?>("--test-set") { Description = "The hidden labelled test set (the verifier's test-set asset)" };
        var assets = new Option<string[]>("--asset") { Description = "Another hidden verifier asset, name=file (repeatable)", AllowMultipleArgumentsPerToken = false };
        var id = new Option<string?>("--id") { Description = "Your own id for the delegation (refused if already used)" };
        var noFollow = new Option<bool>("--no-follow") { Description = "Print the id and the status links, then return" };
        var output = new Option<FileInfo?>("--output") { Description = "Write the decrypted work here once completed" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to follow before giving up (the delegation itself goes on)", DefaultValueFactory = _ => 3600 };
        var command = new Command("delegate", "Start a delegation through a customer node's API and follow it to its end");
        foreach (var o in new Option[] { node, key, provider, service, input, wage, currency, sla, minAccuracy, testSet, assets, id, noFollow, output, timeout })
            command.Options.Add(o);
        command.SetAction(async (parse, ct) =>
        {
            var body = new JsonObject
            {
                ["service"] = parse.GetValue(service),
                ["input"] = Content(parse.GetValue(input)!, "--input"),
                ["wageWei"] = Wage(parse.GetValue(wage)!),
                ["currency"] = Currency(parse.GetValue(currency)!),
            };
            if (parse.GetValue(provider) is { } url)
            {
                if (!Uri.TryCreate(url, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https"))
                    throw new CliException($"--provider '{url}' must be an absolute http(s) URL");
                body["providerUrl"] = url;
            }
            var assetBodies = new JsonObject();
            if (parse.GetValue(testSet) is { } t) assetBodies["test-set"] = Content(t, "--test-set");
            foreach (var a in parse.GetValue(assets) ?? [])
            {
                var eq = a.IndexOf('=');
                if (eq <= 0) throw new CliException($"--asset '{a}' must be name=file");
                assetBodies[a[..eq]] = Content(new FileInfo(a[(eq + 1)..]), $"--asset {a[..eq]}");
            }
            if (assetBodies.Count > 0) body["assets"] = assetBodies;
            body["sla"] = Sla(parse.GetValue(sla), parse.GetValue(minAccuracy), parse.GetValue(testSet) is not null);
            if (parse.GetValue(id) is { } given) body["id"] = given;

            using var client = new NodeApiClient(parse.GetValue(node)!, parse.GetValue(key));
            var started = await client.StartAsync(body, ct);
            var instance = started.GetProperty("id").GetString()!;
            Console.WriteLine($"delegation {instance} accepted; status: {started.GetProperty("delegationGetUri").GetString()}");
            if (parse.GetValue(noFollow)) return 0;
            var view = await DelegationFollower.FollowAsync(client, instance, TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(timeout))), ct);
            StatusCommand.Print(view, Console.Out);
            if (view.TryGetProperty("outcome", out var o) && o.GetString() == "Completed")
            {
                if (parse.GetValue(output) is { } file)
                {
                    await File.WriteAllBytesAsync(file.FullName, await client.ResultAsync(instance, ct), ct);
                    Console.WriteLine($"work written to {file.FullName}");
                }
                return 0;
            }
            var reason = view.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : view.GetProperty("runtimeStatus").GetString();
            throw new CliException($"delegation {instance} did not complete: {reason}");
        });
        return command;
    }

    private static JsonObject Content(FileInfo file, string option)
    {
        if (Directory.Exists(file.FullName)) throw new CliException($"{option}: {file.FullName} is a directory; give a file");
        if (!file.Exists) throw new CliException($"{option}: {file.FullName} does not exist");
        return new JsonObject { ["base64"] = Convert.ToBase64String(File.ReadAllBytes(file.FullName)) };
    }

    private static string Wage(string text) =>
        BigInteger.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var w) && w.Sign > 0
            ? text : throw new CliException($"--wage '{text}' must be a positive decimal number of wei");

    /// <summary>"ETH" or a token address, checked here as the node checks it (EIP-55 when mixed case; not the zero address).</summary>
    private static string Currency(string text)
    {
        if (text.Trim().Equals("ETH", StringComparison.OrdinalIgnoreCase)) return "ETH";
        var token = RegistryCommand.Address(text, $"--currency '{text}' must be ETH or an ERC-20 token address");
        return token == EthereumAddress.Zero
            ? throw new CliException($"--currency '{text}' is the zero address; give ETH or an ERC-20 token address")
            : token.ToLowerHex();
    }

    private static JsonNode Sla(string? sla, double? minAccuracy, bool hasTestSet)
    {
        if (minAccuracy is { } min)
        {
            if (sla is not null) throw new CliException("give --sla or --min-accuracy, not both");
            if (!hasTestSet) throw new CliException("--min-accuracy needs --test-set (the hidden labelled test set)");
            return new JsonObject { ["kind"] = "classifier-accuracy", ["minAccuracy"] = min };
        }
        if (sla is null) throw new CliException("an SLA is required: --sla JSON|@file, or --min-accuracy with --test-set");
        var text = sla.StartsWith('@') ? ReadFile(sla[1..]) : sla;
        try { return JsonNode.Parse(text) ?? throw new CliException("--sla is empty"); }
        catch (JsonException e) { throw new CliException($"--sla is not JSON: {e.Message}"); }
    }

    private static string ReadFile(string path) =>
        Directory.Exists(path) ? throw new CliException($"--sla: {Path.GetFullPath(path)} is a directory; give a JSON file")
        : File.Exists(path) ? File.ReadAllText(path) : throw new CliException($"--sla: {Path.GetFullPath(path)} does not exist");
}
