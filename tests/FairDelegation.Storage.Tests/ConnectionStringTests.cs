using FairDelegation.Storage.Azure;

namespace FairDelegation.Storage.Tests;

/// <summary>Connection strings are parsed by the SDK; what the store adds: a key is required, errors are clear and keep keys out.</summary>
public sealed class ConnectionStringTests
{
    [Fact]
    public void UseDevelopmentStorage_maps_to_azurites_well_known_account_on_port_10000()
    {
        var store = AzureBlobStore.FromConnectionString("UseDevelopmentStorage=true;", "work");
        store.AccountName.Should().Be("devstoreaccount1");
        store.GetBlobUri("a b").Should().Be(new Uri("http://127.0.0.1:10000/devstoreaccount1/work/a%20b"));
        store.CanIssueReadUrls.Should().BeTrue();
    }

    [Fact]
    public void Account_name_key_protocol_and_suffix_build_the_public_endpoint()
    {
        var key = Convert.ToBase64String(new byte[32]);
        AzureBlobStore.FromConnectionString($"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={key};EndpointSuffix=core.chinacloudapi.cn", "work")
            .GetBlobUri("x").Should().Be(new Uri("https://acct.blob.core.chinacloudapi.cn/work/x"));
        var store = AzureBlobStore.FromConnectionString($"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={key}", "work");
        store.GetBlobUri("x").Should().Be(new Uri("https://acct.blob.core.windows.net/work/x"));
        store.AccountName.Should().Be("acct");
    }

    [Fact]
    public void An_explicit_blob_endpoint_wins_and_a_path_style_one_names_the_account()
    {
        var store = AzureBlobStore.FromConnectionString(
            $"AccountName=devstoreaccount1;AccountKey={AzureBlobStore.DevelopmentAccountKey};BlobEndpoint=http://127.0.0.1:12345/devstoreaccount1;", "work");
        store.GetBlobUri("x").Should().Be(new Uri("http://127.0.0.1:12345/devstoreaccount1/work/x"));
        store.AccountName.Should().Be("devstoreaccount1");
    }

    [Theory]
    [InlineData("")]
    [InlineData("AccountName=a;junk")]
    [InlineData("not a connection string")]
    public void Malformed_connection_strings_are_clear_errors(string cs) =>
        FluentActions.Invoking(() => AzureBlobStore.FromConnectionString(cs, "work")).Should().Throw<FormatException>()
            .WithMessage("*connection string*");

    [Fact]
    public void A_bad_key_is_reported_without_echoing_it()
    {
        const string secret = "not*base64*secret";
        FluentActions.Invoking(() => AzureBlobStore.FromConnectionString($"DefaultEndpointsProtocol=https;AccountName=a;AccountKey={secret}", "work"))
            .Should().Throw<FormatException>().Where(e => !e.Message.Contains(secret));
    }

    [Fact]
    public void A_connection_string_without_a_key_cannot_make_a_shared_key_store() =>
        FluentActions.Invoking(() => AzureBlobStore.FromConnectionString("BlobEndpoint=https://a.blob.core.windows.net;SharedAccessSignature=sv=2020&sig=x", "work"))
            .Should().Throw<FormatException>().WithMessage("*no AccountKey*");

    [Theory]
    [InlineData("ab")]
    [InlineData("Upper")]
    [InlineData("-lead")]
    [InlineData("double--hyphen")]
    [InlineData("under_score")]
    public void Bad_container_names_are_rejected(string container) =>
        FluentActions.Invoking(() => AzureBlobStore.FromConnectionString("UseDevelopmentStorage=true", container))
            .Should().Throw<ArgumentException>().WithMessage("*container name*");
}
