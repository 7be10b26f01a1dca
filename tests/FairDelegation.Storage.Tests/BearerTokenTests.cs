using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;
using FairDelegation.Storage.Azure;
using FairDelegation.Testing;

namespace FairDelegation.Storage.Tests;

/// <summary>
/// The TokenCredential path against a real Azurite serving HTTPS with --oauth basic (it checks a token's issuer,
/// audience and lifetime; Azure.Core only sends bearer tokens over TLS).
/// </summary>
public sealed class BearerTokenTests(TlsAzuriteFixture fixture) : IClassFixture<TlsAzuriteFixture>
{
    private AzureBlobStore Store(TokenCredential credential)
    {
        var options = new AzureBlobClientOptions { BlockSize = 64 * 1024 };
        options.Retry.MaxRetries = 0;
        var thumbprint = fixture.Certificate.Thumbprint;
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                // Trust exactly the test's self-signed certificate.
                RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.GetCertHashString() == thumbprint,
            },
        };
        options.Transport = new HttpClientTransport(new HttpClient(handler));
        return new AzureBlobStore(fixture.Azurite.BlobEndpoint, "tokens", credential, options);
    }

    [Fact]
    public async Task A_token_credential_authenticates_every_operation_with_the_storage_scope()
    {
        var credential = new JwtLikeCredential(TimeSpan.FromHours(1));
        var store = Store(credential);
        var data = TestData.Bytes(200_000);

        var result = await store.WriteAsync("by token/w", new MemoryStream(data));

        result.Sha256.Should().Equal(TestData.Sha256(data));
        (await TestData.ReadAllAsync(await store.OpenReadAsync("by token/w"))).Should().Equal(data);
        (await store.ListAsync("by token/").Select(b => b.Name).ToListAsync()).Should().Equal("by token/w");
        credential.Scopes.Should().OnlyContain(s => s == AzureBlobStore.StorageScope).And.NotBeEmpty();
        store.AccountName.Should().Be("devstoreaccount1");
        store.CanIssueReadUrls.Should().BeFalse();
    }

    [Fact]
    public async Task An_expired_token_is_an_authentication_error_naming_the_cause()
    {
        var store = Store(new JwtLikeCredential(TimeSpan.FromHours(-1)));

        var error = (await store.Invoking(s => s.WriteAsync("x", new MemoryStream([1]))).Should().ThrowAsync<BlobAuthenticationException>()).Which;

        error.ErrorCode.Should().Be("AuthenticationFailed");
        error.Message.Should().Contain("403").And.Contain("AuthenticationFailed");
    }

    /// <summary>
    /// Stands in for Entra ID: an unsigned JWT with the claims Azurite's basic OAuth checks. Azure.Identity's real
    /// credentials need a tenant this machine cannot reach; what is under test is the pipeline carrying the token.
    /// </summary>
    private sealed class JwtLikeCredential(TimeSpan lifetime) : TokenCredential
    {
        public List<string> Scopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            lock (Scopes) Scopes.AddRange(requestContext.Scopes);
            var now = DateTimeOffset.UtcNow;
            var issued = (lifetime < TimeSpan.Zero ? now + lifetime - TimeSpan.FromHours(1) : now).ToUnixTimeSeconds();
            var expires = (now + lifetime).ToUnixTimeSeconds();
            static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            var jwt = B64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." +
                      B64($"{{\"aud\":\"https://storage.azure.com\",\"iss\":\"https://sts.windows.net/{Guid.Empty}/\",\"iat\":{issued},\"nbf\":{issued},\"exp\":{expires}}}") + ".";
            // Azure.Core caches tokens until shortly before ExpiresOn; report a future expiry so it does ask.
            return new AccessToken(jwt, now.AddMinutes(30));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}

/// <summary>One Azurite on HTTPS (a throw-away self-signed certificate for 127.0.0.1) with --oauth basic.</summary>
public sealed class TlsAzuriteFixture : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fd-azurite-tls-").FullName;

    public X509Certificate2 Certificate { get; private set; } = null!;
    public AzuriteProcess Azurite { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var certPath = Path.Combine(_dir, "cert.pem");
        var keyPath = Path.Combine(_dir, "key.pem");
        await File.WriteAllTextAsync(certPath, Certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());
        Azurite = await AzuriteProcess.StartAsync(https: new AzuriteHttps(certPath, keyPath, OAuthBasic: true));
    }

    public async Task DisposeAsync()
    {
        await Azurite.DisposeAsync();
        Certificate.Dispose();
        Directory.Delete(_dir, true);
    }
}
