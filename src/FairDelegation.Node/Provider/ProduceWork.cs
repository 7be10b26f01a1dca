using FairDelegation.Node.Model;
using FairDelegation.Node.Services;
using FairDelegation.Node.Storage;
using FairDelegation.Storage;

namespace FairDelegation.Node.Provider;

/// <summary>
/// Step (3): produce the work w from the customer's input with the offered service. The input is fetched (and checked
/// against its reference) into the provider's store once; each attempt writes its own work blob. A service failure is
/// a result (the attempt counts against the retry budget), not an exception.
/// </summary>
public sealed class ProduceWork(ServiceCatalog catalog, BlobFetcher fetcher, IBlobStore store) : TaskActivity<ProduceWorkInput, ProduceWorkResult>
{
    public override async Task<ProduceWorkResult> RunAsync(TaskActivityContext context, ProduceWorkInput input)
    {
        var ct = CancellationToken.None;
        var a = input.Agreement;
        var service = a.ParseTerms().Service;
        if (catalog.Find(service) is not { } offered) return new ProduceWorkResult(null, $"service {service} is no longer offered");
        StoredBlob source;
        try
        {
            source = await fetcher.FetchAsync(input.Request.Input, input.Request.Input.LocalBlob ?? $"agreements/{a.AgreementId}/input", ct);
        }
        catch (BlobFetchException e) when (e.Mismatch)
        {
            return new ProduceWorkResult(null, $"the customer's input does not match its reference: {e.Message}");
        }

        using var scratch = new TempDirectory("fd-work-");
        var inputPath = scratch.File("input");
        var outputPath = scratch.File("output");
        await using (var s = await store.OpenReadAsync(source.Name, ct))
        await using (var f = File.Create(inputPath))
        {
            await s.CopyToAsync(f, ct);
        }
        try
        {
            await offered.Service.ProduceAsync(new ServiceRun(inputPath, outputPath, input.Attempt, offered.TimeLimit), ct);
        }
        catch (ServiceFailedException e)
        {
            return new ProduceWorkResult(null, e.Message);
        }
        var name = $"agreements/{a.AgreementId}/work-{input.Attempt}";
        await using (var w = File.OpenRead(outputPath)) await store.WriteAsync(name, w, ct);
        return new ProduceWorkResult(name, null);
    }
}
