using System.Runtime.CompilerServices;

// The secp256k1 internals (field, scalar, point arithmetic) are cross-checked directly by the Chain tests.
[assembly: InternalsVisibleTo("FairDelegation.Chain.Tests")]
