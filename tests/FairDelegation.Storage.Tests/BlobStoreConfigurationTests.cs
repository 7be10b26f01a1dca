using FairDelegation.Storage.Azure;
using FairDelegation.Storage.FileSystem;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FairDelegation.Storage.Tests;

/// <summary>AddBlobStore binds the "Blobs" section and registers the store it describes.</summary>
[Collection("Azurite")]
public sealed class BlobStoreConfigurationTests(AzuriteFixture fixture)
{
    private static ServiceProvider Build(Dictionary<string, string?> settings) =>
        new ServiceCollection()
            .AddBlobStore(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .BuildServiceProvider();

    [Fact]
    public async Task The_default_kind_is_the_file_system_store_at_the_configured_path()
    {
        var dir = Directory.CreateTempSubdirectory("fd-blobs-").FullName;
        try
        {
            using var sp = Build(new() { ["Blobs:Path"] = dir });

            var store = sp.GetRequiredService<IBlobStore>();

            store.Should().BeOfType<FileSystemBlobStore>().Which.Root.Should().Be(dir);
            await store.WriteAsync("x", new MemoryStream([1]));
            File.Exists(Path.Combine(dir, "x")).Should().BeTrue();
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task Kind_AzureBlob_with_a_connection_string_talks_to_azurite()
    {
        using var sp = Build(new()
        {
            ["Blobs:Kind"] = "AzureBlob",
            ["Blobs:ConnectionString"] = fixture.Azurite.ConnectionString,
            ["Blobs:Container"] = "configured",
            ["Blobs:BlockSize"] = "65536",
            ["Blobs:MaxConcurrency"] = "2",
        });

        var store = sp.GetRequiredService<IBlobStore>().Should().BeOfType<AzureBlobStore>().Subject;

        store.ContainerName.Should().Be("configured");
        var data = TestData.Bytes(200_000);
        await store.WriteAsync("from-config", new MemoryStream(data));
        (await TestData.ReadAllAsync(await store.OpenReadAsync("from-config"))).Should().Equal(data);
    }

    [Fact]
    public void Kind_AzureBlob_with_a_service_uri_uses_a_registered_token_credential()
    {
        var credential = new StaticTokenCredential();
        using var sp = new ServiceCollection()
            .AddSingleton<global::Azure.Core.TokenCredential>(credential)
            .AddBlobStore(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Blobs:Kind"] = "AzureBlob",
                ["Blobs:ServiceUri"] = "https://acct.blob.core.windows.net",
            }).Build())
            .BuildServiceProvider();

        var store = sp.GetRequiredService<IBlobStore>().Should().BeOfType<AzureBlobStore>().Subject;

        store.AccountName.Should().Be("acct");
        store.CanIssueReadUrls.Should().BeFalse();
    }

    [Fact]
    public async Task Appsettings_json_and_environment_variables_bind_with_the_environment_winning()
    {
        var dir = Directory.CreateTempSubdirectory("fd-config-").FullName;
        var prefix = $"FDTEST_{Guid.NewGuid():N}_";
        try
        {
            var json = Path.Combine(dir, "appsettings.json");
            await File.WriteAllTextAsync(json, """
                { "Blobs": { "Kind": "FileSystem", "Path": "/nonexistent/overridden", "Container": "fromjson", "BlockSize": 65536 } }
                """);
            Environment.SetEnvironmentVariable(prefix + "Blobs__Kind", "AzureBlob");
            Environment.SetEnvironmentVariable(prefix + "Blobs__ConnectionString", fixture.Azurite.ConnectionString);
            var configuration = new ConfigurationBuilder().AddJsonFile(json).AddEnvironmentVariables(prefix).Build();
            using var sp = new ServiceCollection().AddBlobStore(configuration).BuildServiceProvider();

            var options = sp.GetRequiredService<IOptions<BlobStoreOptions>>().Value;
            var store = sp.GetRequiredService<IBlobStore>().Should().BeOfType<AzureBlobStore>().Subject;

            options.BlockSize.Should().Be(65536);
            store.ContainerName.Should().Be("fromjson");
            await store.WriteAsync("env", new MemoryStream([7]));
            (await store.ExistsAsync("env")).Should().BeTrue();
        }
        finally
        {
            Environment.SetEnvironmentVariable(prefix + "Blobs__Kind", null);
            Environment.SetEnvironmentVariable(prefix + "Blobs__ConnectionString", null);
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Unusable_settings_are_listed_by_name()
    {
        using var sp = Build(new() { ["Blobs:Kind"] = "AzureBlob", ["Blobs:Container"] = "Bad_Name", ["Blobs:MaxConcurrency"] = "0" });

        var error = FluentActions.Invoking(() => sp.GetRequiredService<IBlobStore>()).Should().Throw<OptionsValidationException>().Which;

        error.Message.Should().Contain("ConnectionString or ServiceUri").And.Contain("Blobs:Container").And.Contain("MaxConcurrency");
        FluentActions.Invoking(() => Build(new()).GetRequiredService<IBlobStore>())
            .Should().Throw<OptionsValidationException>().WithMessage("*Blobs:Path is required*");
    }
}
