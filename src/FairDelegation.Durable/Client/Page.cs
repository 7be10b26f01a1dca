namespace FairDelegation.Durable.Client;

/// <summary>One page of a query; pass <see cref="ContinuationToken"/> back for the next (null when done).</summary>
public sealed record Page<T>(IReadOnlyList<T> Values, string? ContinuationToken);

/// <summary>Query results, enumerable item by item or page by page (like Azure's AsyncPageable).</summary>
public sealed class AsyncPageable<T>(Func<string?, int?, CancellationToken, Task<Page<T>>> fetchPage) : IAsyncEnumerable<T>
{
    public async IAsyncEnumerable<Page<T>> AsPages(string? continuationToken = null, int? pageSizeHint = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var token = continuationToken;
        do
        {
            var page = await fetchPage(token, pageSizeHint, cancellationToken);
            yield return page;
            token = page.ContinuationToken;
        } while (token is not null);
    }

    public async IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        await foreach (var page in AsPages(cancellationToken: cancellationToken))
            foreach (var item in page.Values) yield return item;
    }
}
