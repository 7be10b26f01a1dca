using System.CommandLine;
using System.Text.Json;
using FairDelegation.Protocol.Keys;

namespace FairDelegation.Cli.Commands;

/// <summary>`fairdelegation keys new`: a fresh disposable secp256k1 key pair as JSON.</summary>
public static class KeysCommand
{
    public static Command Create()
    {
        var keys = new Command("keys", "Disposable secp256k1 key pairs (work keys, verifier keys)");
        var create = new Command("new", "Generate a key pair; prints JSON {privateKey, publicKey, address}. The private key is secret.");
        create.SetAction(_ =>
        {
            using var pair = DisposableKeyPair.Generate();
            Console.Out.WriteLine(JsonSerializer.Serialize(new
            {
                privateKey = pair.ExportPrivateKeyHex(),
                publicKey = pair.PublicKey.ToHex(),
                address = pair.Address.ToString(),
            }, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        });
        keys.Subcommands.Add(create);
        return keys;
    }
}
