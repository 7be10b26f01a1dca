using System.Reflection;
using Nethereum.ABI.FunctionEncoding.Attributes;

namespace FairDelegation.Chain.Abi;

/// <summary>
/// Keeps the reflection data of this assembly's Nethereum typed messages (functions, outputs, events, structs) alive for
/// the process. Nethereum encodes and decodes them by reflection on every call (PropertyInfo.GetValue/SetValue), and the
/// runtime holds a type's reflection cache, with the IL stubs it emits to invoke the accessors, only through a weak
/// handle: after a garbage collection the next encode of the same message got fresh PropertyInfos and emitted and
/// JIT-compiled new stubs (`dynamicClass::InvokeStub_OpenFunction.get_WorkKey`, ...: 1.5-2.8 methods per delegation in
/// `bench delegations`, steady state). Holding the PropertyInfos keeps the cache, so each stub is made once.
/// </summary>
internal static class TypedMessageReflection
{
    private static readonly PropertyInfo[][] Roots = [.. typeof(TypedMessageReflection).Assembly.GetTypes()
        .Select(t => t.GetProperties())
        .Where(properties => properties.Any(p => p.IsDefined(typeof(ParameterAttribute), inherit: true)))];

    /// <summary>How many message types are held (touching this runs the static initializer once).</summary>
    public static int Count => Roots.Length;
}
