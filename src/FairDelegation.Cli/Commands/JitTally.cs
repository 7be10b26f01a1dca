using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace FairDelegation.Cli.Commands;

/// <summary>
/// What the runtime did while enabled, from its own events: the methods the JIT compiled (MethodLoadVerbose), by name and
/// tier, and the allocations by type (GCAllocationTick: one sample per ~100 KB allocated, so a type's share is an
/// estimate). `bench delegations --jit-methods N` shows what still compiles and allocates in a steady state: a method
/// compiled anew per delegation means code generated per call (a serializer, a Regex, an Expression, a reflection stub).
/// </summary>
internal sealed class JitTally : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private const EventKeywords JitKeyword = (EventKeywords)0x10;
    private readonly ConcurrentDictionary<string, long> _methods = new();
    private readonly ConcurrentDictionary<string, long> _allocated = new();
    private volatile bool _counting;

    public void Start()
    {
        _methods.Clear();
        _allocated.Clear();
        _counting = true;
    }

    public void Stop() => _counting = false;

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, JitKeyword | GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!_counting || e.Payload is null || e.EventName is null) return;
        string Field(string name) => e.PayloadNames!.IndexOf(name) is var i and >= 0 ? e.Payload[i]?.ToString() ?? "" : "";
        if (e.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal))
        {
            var amount = long.TryParse(Field("AllocationAmount64"), out var a) ? a : 0;
            _allocated.AddOrUpdate(Field("TypeName"), amount, (_, n) => n + amount);
            return;
        }
        if (!e.EventName.StartsWith("MethodLoadVerbose", StringComparison.Ordinal)) return;
        var flags = uint.TryParse(Field("MethodFlags"), out var f) ? f : 0;
        // MethodFlags: 0x1 dynamic method; bits 7-9 the optimization tier (1 MinOpt, 2 Optimized, 3 QuickJitted, 4 Tier1, 7 OSR).
        var tier = ((flags >> 7) & 0x7) switch { 1 => "minopt", 2 => "optimized", 3 => "tier0", 4 => "tier1", 5 => "r2r", 6 => "tier1-instr", 7 => "osr", _ => "?" };
        var dynamic = (flags & 0x1) != 0 ? " [dynamic]" : "";
        _methods.AddOrUpdate($"{tier}{dynamic} {Field("MethodNamespace")}::{Field("MethodName")}", 1, (_, n) => n + 1);
    }

    /// <summary>The <paramref name="top"/> most compiled, per item, most first.</summary>
    public IEnumerable<string> Top(int top, int items) => _methods.OrderByDescending(kv => kv.Value).Take(top)
        .Select(kv => $"{(double)kv.Value / items,6:0.00} x {kv.Key}");

    public IEnumerable<string> ByTier(int items) => _methods.GroupBy(kv => kv.Key.Split(' ')[0] + (kv.Key.Contains("[dynamic]") ? " dynamic" : ""))
        .Select(g => $"{g.Key} {(double)g.Sum(kv => kv.Value) / items:0.0}");

    /// <summary>The <paramref name="top"/> most allocated types, KiB per item (sampled).</summary>
    public IEnumerable<string> TopAllocated(int top, int items) => _allocated.OrderByDescending(kv => kv.Value).Take(top)
        .Select(kv => $"{(double)kv.Value / items / 1024,8:0} KiB {kv.Key}");
}
