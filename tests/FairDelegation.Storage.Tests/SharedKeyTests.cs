using FairDelegation.Storage.Azure;

namespace FairDelegation.Storage.Tests;

/// <summary>
/// SharedKey is the SDK's now; these prove against Azurite that the details that break most often (empty bodies,
/// encoded Unicode paths, multi-parameter queries) are accepted, and that a wrong key is a clear error.
/// </summary>
[Collection("Azurite")]
public sealed class SharedKeyTests(AzuriteFixture fixture)
{
    [Fact]
    public async Task Azurite_accepts_empty_bodies_unicode_paths_and_multi_parameter_queries()
    {
        // Each call below fails with 403 if the corresponding canonical form is wrong.
        var store = fixture.NewStore(listPageSize: 1);
        await store.WriteAsync("e", new MemoryStream());                                   // Content-Length ""
        await store.WriteAsync("sp ace/ü+%/名", new MemoryStream(TestData.Bytes(200_000)));  // encoded path, base64 block ids with + / =
        await store.WriteAsync("sp ace/z", new MemoryStream([1]));
        (await store.ListAsync("sp ace/").Select(b => b.Name).ToListAsync())                // prefix, marker, include, maxresults
            .Should().Equal("sp ace/z", "sp ace/ü+%/名");
        (await store.DeleteAsync("e")).Should().BeTrue();                                   // DELETE without body
    }

    [Fact]
    public async Task A_wrong_key_is_an_authentication_error_that_names_its_cause()
    {
        var wrongKey = Convert.ToBase64String(new byte[64]);
        var cs = $"AccountName=devstoreaccount1;AccountKey={wrongKey};BlobEndpoint={fixture.Azurite.BlobEndpoint}";
        var store = AzureBlobStore.FromConnectionString(cs, "denied");

        var error = (await store.Invoking(s => s.WriteAsync("x", new MemoryStream([1]))).Should().ThrowAsync<BlobAuthenticationException>()).Which;

        // Azure says AuthenticationFailed (with the string it signed as detail); Azurite says AuthorizationFailure.
        error.ErrorCode.Should().BeOneOf("AuthenticationFailed", "AuthorizationFailure");
        error.Message.Should().Contain("403").And.Contain(error.ErrorCode).And.Contain("account name and key");
        error.Message.Should().NotContain(wrongKey);
    }
}
