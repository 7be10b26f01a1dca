using DurableTask.Core.Middleware;

namespace FairDelegation.Workflows;

/// <summary>
/// An activity-dispatch middleware of the Durable Task Framework (<c>TaskHubWorker.AddActivityDispatcherMiddleware</c>):
/// the worker runs every registered one around each activity. Code after <c>await next()</c> runs once the activity
/// returned and before the backend saves its result, the one instant the activity itself cannot name: the fault suite
/// (tests/FairDelegation.Node.TestHost) registers one there to stop a node between "transaction mined" and "result saved".
/// </summary>
public sealed record ActivityMiddleware(Func<DispatchMiddlewareContext, Func<Task>, Task> Invoke);
