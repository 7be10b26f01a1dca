using FairDelegation.Storage.Azure;

namespace FairDelegation.Storage.Tests;

public sealed class ConnectionStringTests
{
    private static readonly StorageSharedKeyCredential Dev =
        new(StorageSharedKeyCredential.DevelopmentAccountName, StorageSharedKeyCredential.DevelopmentAccountKey);

    [Fact]
    public void UseDevelopmentStorage_maps_to_azurites_well_known_account_on_port_10000()
    {
        var cs = StorageConnectionString.Parse("UseDevelopmentStorage=true");

        cs.BlobEndpoint.Should().Be(new Uri("http://127.0.0.1:10000/devstoreaccount1"));
        cs.AccountName.Should().Be("devstoreaccount1");
        cs.Credential!.AccountName.Should().Be("devstoreaccount1");
        // Same key: the same string signs identically.
        SharedKeySigner.Authorization(cs.Credential, "probe").Should().Be(SharedKeySigner.Authorization(Dev, "probe"));

        var store = AzureBlobStore.FromConnectionString("UseDevelopmentStorage=true;", "work");
        store.GetBlobUri("a b").Should().Be(new Uri("http://127.0.0.1:10000/devstoreaccount1/work/a%20b"));
        store.CanIssueReadUrls.Should().BeTrue();
    }

    [Fact]
    public void Account_name_key_protocol_and_suffix_build_the_public_endpoint()
    {
        var key = Convert.ToBase64String(new byte[32]);

        StorageConnectionString.Parse($"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={key};EndpointSuffix=core.chinacloudapi.cn")
            .BlobEndpoint.Should().Be(new Uri("https://acct.blob.core.chinacloudapi.cn"));
        var parsed = StorageConnectionString.Parse($"AccountName=acct;AccountKey={key}");
        parsed.BlobEndpoint.Should().Be(new Uri("https://acct.blob.core.windows.net"));
        parsed.Credential!.AccountName.Should().Be("acct");
        StorageConnectionString.Parse($"DefaultEndpointsProtocol=http;AccountName=acct;AccountKey={key}")
            .BlobEndpoint.Scheme.Should().Be("http");
    }

    [Fact]
    public void An_explicit_blob_endpoint_wins_and_a_path_style_one_names_the_account()
    {
        var cs = StorageConnectionString.Parse(
            $"AccountKey={StorageSharedKeyCredential.DevelopmentAccountKey};BlobEndpoint=http://127.0.0.1:12345/devstoreaccount1;");

        cs.BlobEndpoint.Should().Be(new Uri("http://127.0.0.1:12345/devstoreaccount1"));
        cs.AccountName.Should().Be("devstoreaccount1");
        StorageConnectionString.Parse(StorageConnectionString.ForDevelopmentAccount(new Uri("http://127.0.0.1:12345/devstoreaccount1")))
            .Should().BeEquivalentTo(cs, o => o.Excluding(c => c.Credential));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("UseDevelopmentStorage=false", "must be 'true'")]
    [InlineData("UseDevelopmentStorage=true;AccountName=x", "cannot be combined")]
    [InlineData("AccountKey=AAAA", "needs AccountName")]
    [InlineData("AccountName=a;AccountName=b", "appears twice")]
    [InlineData("AccountName=a;junk", "not Key=Value")]
    [InlineData("BlobEndpoint=ftp://x/y;AccountName=a", "not an absolute http(s) URL")]
    [InlineData("AccountName=a;DefaultEndpointsProtocol=gopher", "http or https")]
    public void Malformed_connection_strings_are_clear_errors(string cs, string expected) =>
        FluentActions.Invoking(() => StorageConnectionString.Parse(cs)).Should().Throw<FormatException>().WithMessage($"*{expected}*");

    [Fact]
    public void A_bad_key_is_reported_without_echoing_it()
    {
        const string secret = "not*base64*secret";
        FluentActions.Invoking(() => StorageConnectionString.Parse($"AccountName=a;AccountKey={secret}"))
            .Should().Throw<FormatException>().Where(e => !e.Message.Contains(secret)).WithMessage("*not valid base64*");
    }

    [Fact]
    public void A_connection_string_without_a_key_cannot_make_a_shared_key_store() =>
        FluentActions.Invoking(() => AzureBlobStore.FromConnectionString("AccountName=a", "work"))
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
