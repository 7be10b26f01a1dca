using System.Net;
using System.Net.Http.Json;
using System.Text;
using FairDelegation.Chain.Crypto;
using FairDelegation.Workflows;
using Microsoft.DurableTask.Client;
using FairDelegation.Node.Peers;
using FairDelegation.Protocol.Agreements;
using FairDelegation.Protocol.Sla;

namespace FairDelegation.Node.Tests.EndToEnd;

/// <summary>The provider's peer routes over real HTTP: authentication, replay, unknown agreements, size limits, shares.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class PeerApiTests(ChainAndBlobsFixture chain) : IAsyncLifetime
{
    private readonly Delegations _d = new(chain);
    private readonly HttpClient _http = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("fd-peer-api-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _d.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<(TestNode Provider, NodeIdentity Customer, EthereumAddress ProviderIdentity)> SetUpAsync()
    {
        var provider = await _d.StartProviderAsync();
        var identity = await _http.GetFromJsonAsync<IdentityDocument>(provider.Url + "/api/peer/identity", PeerJson.Options);
        identity!.Role.Should().Be("provider");
        return (provider, NodeIdentity.LoadOrCreate(Path.Combine(_dir, "customer.key")), EthereumAddress.Parse(identity.Address));
    }

    private static string QuoteBody(string proposalId) => PeerJson.Serialize(new QuoteRequest
    {
        ProposalId = proposalId, Service = "train-classifier", Sla = new MinBytesSla(1).ToJson(), MaxWage = Delegations.Wage,
        CustomerAddress = "0x" + new string('1', 40), VerifierKey = "0x" + new string('2', 40), InputHash = "0x" + new string('3', 64),
        CustomerUrl = "http://127.0.0.1:1",
    });

    private Task<HttpResponseMessage> PostAsync(string url, PeerEnvelope envelope) =>
        _http.PostAsync(url, new StringContent(PeerJson.Serialize(envelope), Encoding.UTF8, "application/json"));

    [Fact]
    public async Task A_quote_is_signed_by_the_provider_and_a_replayed_request_changes_nothing()
    {
        var (provider, customer, providerIdentity) = await SetUpAsync();
        var proposal = "0x" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var message = PeerEnvelope.Create(customer, PeerKinds.QuoteRequest, proposal, providerIdentity.ToLowerHex(), QuoteBody(proposal), DateTimeOffset.UtcNow);

        var first = await (await PostAsync(provider.Url + "/api/peer/quote", message)).Content.ReadAsStringAsync();
        var second = await (await PostAsync(provider.Url + "/api/peer/quote", message)).Content.ReadAsStringAsync();

        second.Should().Be(first, "a duplicate gets the stored reply");
        var reply = PeerJson.Deserialize<PeerEnvelope>(first, "reply");
        reply.VerifySender().Should().Be(providerIdentity);
        var quote = PeerJson.Deserialize<QuoteReply>(reply.Body, "quote");
        quote.Accepted.Should().BeTrue(quote.Reason);
        var terms = AgreementTerms.FromJson(quote.Terms!);
        terms.AgreementId.ToHex().Should().Be(quote.AgreementId);
        terms.Wage.Should().Be(Delegations.Wage);
        var instances = await provider.Get<DurableTaskClient>().QueryInstancesAsync(new OrchestrationQuery { InstanceIdPrefix = "provider-" });
        instances.Values.Should().ContainSingle("the replay started nothing new");

        // The same proposal in a new message is refused: one work key per agreement.
        var again = PeerEnvelope.Create(customer, PeerKinds.QuoteRequest, proposal, providerIdentity.ToLowerHex(), QuoteBody(proposal), DateTimeOffset.UtcNow);
        var refusal = PeerJson.Deserialize<QuoteReply>(PeerJson.Deserialize<PeerEnvelope>(
            await (await PostAsync(provider.Url + "/api/peer/quote", again)).Content.ReadAsStringAsync(), "reply").Body, "quote");
        refusal.Accepted.Should().BeFalse();
        refusal.Reason.Should().Contain("already quoted");

        // GET /api/agreements/{id} shows the provider waiting at (0), to the agreement's peer (signed) or the API key only.
        var anonymous = await _http.GetAsync($"{provider.Url}/api/agreements/{quote.AgreementId}");
        anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the terms are the two parties' business (docs/api.md)");
        anonymous.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var asPeer = new PeerClient(new HttpClient(), customer, TimeProvider.System);
        var view = await asPeer.GetAgreementAsync(provider.Url, providerIdentity, quote.AgreementId!, default);
        for (var until = DateTime.UtcNow.AddSeconds(30); !view.Contains("Quote") && DateTime.UtcNow < until; await Task.Delay(100))
            view = await asPeer.GetAgreementAsync(provider.Url, providerIdentity, quote.AgreementId!, default); // step is null until the first episode
        view.Should().Contain("\"role\":\"provider\"").And.Contain("Quote");
        using var withKey = new HttpRequestMessage(HttpMethod.Get, $"{provider.Url}/api/agreements/{quote.AgreementId}");
        withKey.Headers.Add("X-Api-Key", (await File.ReadAllTextAsync(Path.Combine(provider.DataDirectory, "api.key"))).Trim());
        (await _http.SendAsync(withKey)).StatusCode.Should().Be(HttpStatusCode.OK);

        // Another node, even with a valid signature, is not the agreement's peer.
        var stranger = new PeerClient(new HttpClient(), NodeIdentity.LoadOrCreate(Path.Combine(_dir, "stranger.key")), TimeProvider.System);
        var refused = async () => await stranger.GetAgreementAsync(provider.Url, providerIdentity, quote.AgreementId!, default);
        (await refused.Should().ThrowAsync<PeerCallException>()).Which.Message.Should().Contain("401").And.Contain("is not the peer of agreement");
    }

    [Fact]
    public async Task Forged_misaddressed_or_unknown_messages_are_refused_with_problem_details()
    {
        var (provider, customer, providerIdentity) = await SetUpAsync();
        var proposal = "0x" + new string('a', 64);
        var good = PeerEnvelope.Create(customer, PeerKinds.QuoteRequest, proposal, providerIdentity.ToLowerHex(), QuoteBody(proposal), DateTimeOffset.UtcNow);

        var tampered = await PostAsync(provider.Url + "/api/peer/quote", good with { Body = QuoteBody(proposal).Replace("train-classifier", "other") });
        tampered.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await tampered.Content.ReadAsStringAsync()).Should().Contain("signed by");

        var misaddressed = PeerEnvelope.Create(customer, PeerKinds.QuoteRequest, proposal, customer.Address.ToLowerHex(), QuoteBody(proposal), DateTimeOffset.UtcNow);
        (await PostAsync(provider.Url + "/api/peer/quote", misaddressed)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        var unknown = PeerEnvelope.Create(customer, PeerKinds.DelegationRequest, "0x" + new string('b', 64), providerIdentity.ToLowerHex(), "{}", DateTimeOffset.UtcNow);
        var notFound = await PostAsync(provider.Url + "/api/peer/request", unknown);
        notFound.StatusCode.Should().Be(HttpStatusCode.NotFound);
        notFound.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");

        // A body that is no envelope: 400 ProblemDetails saying what is wrong.
        var badJson = await _http.PostAsync(provider.Url + "/api/peer/quote", new StringContent("{not json", Encoding.UTF8, "application/json"));
        badJson.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        badJson.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await badJson.Content.ReadAsStringAsync()).Should().Contain("\"detail\"").And.Contain("invalid");
        var incomplete = await _http.PostAsync(provider.Url + "/api/peer/quote", new StringContent("{\"kind\":\"quote-request\"}", Encoding.UTF8, "application/json"));
        incomplete.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await incomplete.Content.ReadAsStringAsync()).Should().Contain("missing required properties").And.Contain("agreementId");

        var huge = PeerEnvelope.Create(customer, PeerKinds.QuoteRequest, proposal, providerIdentity.ToLowerHex(), new string('x', 200_000), DateTimeOffset.UtcNow);
        (await PostAsync(provider.Url + "/api/peer/quote", huge)).StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);

        (await _http.GetAsync(provider.Url + "/api/peer/shares/" + new string('c', 64))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await _http.GetAsync(provider.Url + "/api/agreements/0x1234")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        using var withKey = new HttpRequestMessage(HttpMethod.Get, provider.Url + "/api/agreements/0x1234");
        withKey.Headers.Add("X-Api-Key", (await File.ReadAllTextAsync(Path.Combine(provider.DataDirectory, "api.key"))).Trim());
        (await _http.SendAsync(withKey)).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }
}
