using FairDelegation.Storage.Azure;

namespace FairDelegation.Storage.Tests;

/// <summary>
/// The SharedKey details that break most often. The string-to-sign tests pin the exact canonical form; the
/// Azurite tests prove the signatures are accepted where each detail matters (and refused with a wrong key).
/// </summary>
[Collection("Azurite")]
public sealed class SharedKeyTests(AzuriteFixture fixture)
{
    private static readonly KeyValuePair<string, string>[] MsHeaders =
    [
        new("x-ms-version", "2025-01-05"), new("X-MS-Date", "Sat, 21 Nov 2026 10:00:00 GMT"), new("x-ms-blob-type", "BlockBlob"),
    ];

    [Fact]
    public void A_path_style_emulator_url_puts_the_account_name_twice_in_the_canonical_resource()
    {
        var uri = new Uri("http://127.0.0.1:10000/devstoreaccount1/work/a%20b/c");

        var s = SharedKeySigner.BuildStringToSign("GET", uri, null, MsHeaders, "devstoreaccount1");

        s.Should().EndWith("\n/devstoreaccount1/devstoreaccount1/work/a%20b/c");
    }

    [Fact]
    public void A_zero_length_body_signs_content_length_as_the_empty_string()
    {
        var uri = new Uri("https://acct.blob.core.windows.net/work/empty");

        var zero = SharedKeySigner.BuildStringToSign("PUT", uri, 0, MsHeaders, "acct");
        var some = SharedKeySigner.BuildStringToSign("PUT", uri, 42, MsHeaders, "acct");

        zero.Split('\n')[3].Should().BeEmpty();
        some.Split('\n')[3].Should().Be("42");
        zero.Should().EndWith("\n/acct/work/empty");
    }

    [Fact]
    public void Query_parameters_are_lower_cased_decoded_sorted_and_repeated_values_joined()
    {
        var uri = new Uri("http://127.0.0.1:10000/devstoreaccount1/work?restype=container&COMP=list&prefix=dir%20x%2Fy%C3%BC" +
                          "&include=metadata&include=deleted&blockid=YWJj%2B%2Fd%3D");

        var s = SharedKeySigner.BuildStringToSign("GET", uri, null, MsHeaders, "devstoreaccount1");

        s.Should().EndWith("/devstoreaccount1/devstoreaccount1/work" +
                           "\nblockid:YWJj+/d=" +
                           "\ncomp:list" +
                           "\ninclude:deleted,metadata" +
                           "\nprefix:dir x/yü" +
                           "\nrestype:container");
    }

    [Fact]
    public void Canonicalized_headers_are_lower_cased_sorted_and_standard_headers_keep_their_slots()
    {
        var headers = MsHeaders.Append(new("Content-Type", "application/xml")).Append(new("x-ms-range", "bytes=0-9"));

        var lines = SharedKeySigner.BuildStringToSign("GET", new Uri("https://a.blob.core.windows.net/c/b"), null, headers, "a").Split('\n');

        lines[0].Should().Be("GET");
        lines[5].Should().Be("application/xml");
        lines[12..17].Should().Equal("x-ms-blob-type:BlockBlob", "x-ms-date:Sat, 21 Nov 2026 10:00:00 GMT", "x-ms-range:bytes=0-9",
            "x-ms-version:2025-01-05", "/a/c/b");
    }

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
