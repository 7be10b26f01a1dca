namespace FairDelegation.Durable;

/// <summary>A serialized input, output, event or status is over the configured limit.</summary>
public sealed class PayloadTooLargeException(string what, int size, int limit) : ArgumentException(
    $"{what} is {size} bytes serialized, over the {limit}-byte payload limit: large data travels by reference " +
    "(put it in blob storage and pass its address)")
{
    public int Size { get; } = size;
    public int Limit { get; } = limit;
}
