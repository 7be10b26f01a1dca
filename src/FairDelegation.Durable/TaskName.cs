namespace FairDelegation.Durable;

/// <summary>The name of an orchestrator or activity, as registered and as recorded in history.</summary>
public readonly record struct TaskName(string Name)
{
    public static implicit operator TaskName(string name) => new(name);

    public override string ToString() => Name ?? string.Empty;
}
