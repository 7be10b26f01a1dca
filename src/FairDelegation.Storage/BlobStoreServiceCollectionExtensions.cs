using Azure.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FairDelegation.Storage;

/// <summary>Registers the configured blob store.</summary>
public static class BlobStoreServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="BlobStoreOptions"/> from the "Blobs" section (or <paramref name="sectionName"/>), validates them
    /// on first use, and registers <see cref="IBlobStore"/> as a singleton. A <see cref="TokenCredential"/> registered in
    /// the container is used for ServiceUri; otherwise DefaultAzureCredential.
    /// </summary>
    public static IServiceCollection AddBlobStore(this IServiceCollection services, IConfiguration configuration,
        string sectionName = BlobStoreOptions.SectionName)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<BlobStoreOptions>()
            .Bind(configuration.GetSection(sectionName));
        services.AddSingleton<IValidateOptions<BlobStoreOptions>, BlobStoreOptionsValidator>();
        services.AddSingleton<IBlobStore>(sp => BlobStoreFactory.Create(
            sp.GetRequiredService<IOptions<BlobStoreOptions>>().Value,
            sp.GetService<ILoggerFactory>(),
            sp.GetService<TokenCredential>()));
        return services;
    }
}

/// <summary>Reports every unusable blob store setting by name when the options are first read.</summary>
internal sealed class BlobStoreOptionsValidator : IValidateOptions<BlobStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, BlobStoreOptions options)
    {
        var problems = options.Problems();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
