using System.Net;
using FairDelegation.Storage.Azure;
using FairDelegation.Storage.FileSystem;

namespace FairDelegation.Storage.Tests;

/// <summary>A read-only service SAS is what a peer gets to fetch w' directly; checked against Azurite with a plain HttpClient.</summary>
[Collection("Azurite")]
public sealed class ServiceSasTests(AzuriteFixture fixture) : IDisposable
{
    private readonly AzureBlobStore _store = fixture.NewStore();
    private readonly HttpClient _http = new();

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task A_sas_url_fetched_with_a_plain_http_client_returns_the_blob()
    {
        var data = TestData.Bytes(300_000);
        await _store.WriteAsync("shared/w prime ü", new MemoryStream(data));

        var url = ((IBlobStore)_store).TryIssueReadUrl("shared/w prime ü", TimeSpan.FromMinutes(5));

        url.Should().NotBeNull();
        url!.Query.Should().Contain("sp=r").And.Contain("sr=b").And.Contain("sig=");
        (await _http.GetByteArrayAsync(url)).Should().Equal(data);
    }

    [Fact]
    public async Task A_sas_is_read_only_bound_to_its_blob_and_its_signature_and_expires()
    {
        await _store.WriteAsync("a", new MemoryStream([1, 2, 3]));
        await _store.WriteAsync("b", new MemoryStream([4, 5, 6]));
        var url = _store.IssueReadUrl("a", DateTimeOffset.UtcNow.AddMinutes(5));
        (await _http.GetAsync(url)).StatusCode.Should().Be(HttpStatusCode.OK);

        // Another blob's URL with a's SAS.
        var other = new Uri(_store.GetBlobUri("b") + url.Query);
        (await _http.GetAsync(other)).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        // A tampered signature.
        var sig = System.Web.HttpUtility.ParseQueryString(url.Query)["sig"]!;
        var flipped = (sig[0] == 'A' ? 'B' : 'A') + sig[1..];
        var tampered = new Uri(url.AbsoluteUri.Replace(Uri.EscapeDataString(sig), Uri.EscapeDataString(flipped)));
        tampered.Should().NotBe(url);
        (await _http.GetAsync(tampered)).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        // Writing through a read SAS.
        var put = new HttpRequestMessage(HttpMethod.Put, url) { Content = new ByteArrayContent([0]) };
        put.Headers.Add("x-ms-blob-type", "BlockBlob");
        (await _http.SendAsync(put)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await TestData.ReadAllAsync(await _store.OpenReadAsync("a"))).Should().Equal(1, 2, 3);

        // Expired (and not yet valid).
        var expired = _store.IssueReadUrl("a", DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(-10));
        (await _http.GetAsync(expired)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var future = _store.IssueReadUrl("a", DateTimeOffset.UtcNow.AddMinutes(20), DateTimeOffset.UtcNow.AddMinutes(10));
        (await _http.GetAsync(future)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public void Stores_that_cannot_issue_urls_say_so_with_null()
    {
        var dir = Directory.CreateTempSubdirectory("fd-blobs-").FullName;
        try
        {
            new FileSystemBlobStore(dir).TryIssueReadUrl("x", TimeSpan.FromMinutes(1)).Should().BeNull();
        }
        finally
        {
            Directory.Delete(dir, true);
        }
        var tokenStore = new AzureBlobStore(new Uri("https://acct.blob.core.windows.net"), "work", new StaticTokenCredential());
        tokenStore.CanIssueReadUrls.Should().BeFalse();
        ((IBlobStore)tokenStore).TryIssueReadUrl("x", TimeSpan.FromMinutes(1)).Should().BeNull();
        tokenStore.Invoking(s => s.IssueReadUrl("x", DateTimeOffset.UtcNow.AddMinutes(1))).Should().Throw<NotSupportedException>();
    }

    [Fact]
    public void A_sas_must_start_before_it_expires()
    {
        var now = DateTimeOffset.UtcNow;
        _store.Invoking(s => s.IssueReadUrl("a", now, now.AddMinutes(1))).Should().Throw<ArgumentException>();
    }
}

/// <summary>A fixed bearer token (Azure.Identity's credentials need a real tenant).</summary>
internal sealed class StaticTokenCredential(string token = "test-token") : global::Azure.Core.TokenCredential
{
    public int Calls;

    public override global::Azure.Core.AccessToken GetToken(global::Azure.Core.TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Calls);
        return new(token, DateTimeOffset.UtcNow.AddHours(1));
    }

    public override ValueTask<global::Azure.Core.AccessToken> GetTokenAsync(global::Azure.Core.TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}
