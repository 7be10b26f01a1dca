using Azure.Core;
using FairDelegation.Storage.Azure;
using FairDelegation.Storage.FileSystem;
using Microsoft.Extensions.Logging;

namespace FairDelegation.Storage;

/// <summary>Builds the configured <see cref="IBlobStore"/> from <see cref="BlobStoreOptions"/>.</summary>
public static class BlobStoreFactory
{
    /// <summary>
    /// The store the options describe. <paramref name="tokenCredential"/> is used for ServiceUri (defaults to
    /// Azure.Identity's DefaultAzureCredential); throws <see cref="InvalidOperationException"/> listing every bad setting.
    /// </summary>
    public static IBlobStore Create(BlobStoreOptions options, ILoggerFactory? loggerFactory = null, TokenCredential? tokenCredential = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Problems();
        if (problems.Count > 0) throw new InvalidOperationException("blob store configuration: " + string.Join("; ", problems));
        if (options.Kind == BlobStoreKind.FileSystem) return new FileSystemBlobStore(options.Path!);

        var clientOptions = new AzureBlobClientOptions
        {
            BlockSize = options.BlockSize, MaxConcurrency = options.MaxConcurrency,
            StagedUpload = options.StagedUpload,
        };
        clientOptions.Retry.MaxRetries = options.MaxRetries;
        clientOptions.Retry.NetworkTimeout = options.NetworkTimeout;
        var logger = loggerFactory?.CreateLogger<AzureBlobStore>();
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
            return AzureBlobStore.FromConnectionString(options.ConnectionString, options.Container, clientOptions, logger);
        return new AzureBlobStore(new Uri(options.ServiceUri!), options.Container,
            tokenCredential ?? new global::Azure.Identity.DefaultAzureCredential(), clientOptions, logger);
    }
}
