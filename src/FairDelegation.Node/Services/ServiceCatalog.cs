using System.Numerics;
using FairDelegation.Node.Configuration;
using Microsoft.Extensions.Options;

namespace FairDelegation.Node.Services;

/// <summary>A service on offer: what runs it, what it costs (wage_sp) and how long one run may take.</summary>
public sealed record OfferedService(IDelegationService Service, BigInteger Wage, TimeSpan TimeLimit);

/// <summary>
/// The services this provider offers: those configured under Provider:Services (built-in train-classifier or an
/// external command), plus any <see cref="IDelegationService"/> registered in DI and priced in configuration.
/// </summary>
public sealed class ServiceCatalog
{
    private readonly Dictionary<string, OfferedService> _services = new(StringComparer.Ordinal);

    public ServiceCatalog(IOptions<NodeOptions> options, IEnumerable<IDelegationService> registered)
    {
        var o = options.Value;
        var byName = registered.ToDictionary(s => s.Name, StringComparer.Ordinal);
        foreach (var (name, cfg) in o.Provider.Services)
        {
            IDelegationService service = cfg.Kind switch
            {
                "external-command" => new ExternalCommandService(name,
                    cfg.Command ?? throw new InvalidOperationException($"service {name}: an external-command needs Command"), cfg.Arguments),
                "train-classifier" => new TrainClassifierService(name),
                "registered" => byName.TryGetValue(name, out var s) ? s
                    : throw new InvalidOperationException($"service {name}: no IDelegationService named {name} is registered"),
                _ => throw new InvalidOperationException($"service {name}: unknown kind '{cfg.Kind}' (train-classifier, external-command, registered)"),
            };
            _services[name] = new OfferedService(service, cfg.Wage, cfg.TimeLimit ?? o.Timeouts.Service);
        }
    }

    public IReadOnlyCollection<string> Names => _services.Keys;

    /// <summary>The offered service of that name, or null.</summary>
    public OfferedService? Find(string name) => _services.GetValueOrDefault(name);
}
