using System.CommandLine;
using FairDelegation.Protocol.Encryption;
using FairDelegation.Protocol.IO;
using FairDelegation.Protocol.Keys;

namespace FairDelegation.Cli.Commands;

/// <summary>`fairdelegation work encrypt|decrypt|hash`: E(pk, w), D(sk, w') and H(w') on files.</summary>
public static class WorkCommand
{
    public static Command Create()
    {
        var work = new Command("work", "Encrypt, decrypt and hash works (docs/formats/work-encryption.md)");
        work.Subcommands.Add(Encrypt());
        work.Subcommands.Add(Decrypt());
        work.Subcommands.Add(Hash());
        return work;
    }

    private static Command Encrypt()
    {
        var to = new Option<string>("--to") { Description = "Recipient public key (0x + 128 hex digits, or 130 with the 04 prefix)", Required = true };
        var input = new Option<string>("--in") { Description = "Work file to encrypt", Required = true };
        var output = new Option<string>("--out") { Description = "Encrypted file to write (replaced only on success)", Required = true };
        var cmd = new Command("encrypt", "w' = E(pk, w); prints H(w'), the SHA-256 of the encrypted file") { to, input, output };
        cmd.SetAction(async (parse, ct) =>
        {
            var recipient = PublicKey.Parse(parse.GetValue(to)!);
            await using var source = OpenInput(parse.GetValue(input)!);
            var result = await AtomicFile.WriteAsync(parse.GetValue(output)!,
                sink => WorkEncryption.EncryptAsync(source, sink, recipient, ct), ct);
            Console.Out.WriteLine(result.WorkHash.ToHex());
            return 0;
        });
        return cmd;
    }

    private static Command Decrypt()
    {
        var key = new Option<string>("--key") { Description = "Private key (0x + 64 hex digits)", Required = true };
        var input = new Option<string>("--in") { Description = "Encrypted file", Required = true };
        var output = new Option<string>("--out") { Description = "Decrypted file to write (left absent on any error)", Required = true };
        var cmd = new Command("decrypt", "w = D(sk, w'); fails without output on a wrong key or any corruption") { key, input, output };
        cmd.SetAction(async (parse, ct) =>
        {
            using var pair = DisposableKeyPair.FromPrivateKeyHex(parse.GetValue(key)!);
            var sk = pair.ExportPrivateKey();
            try
            {
                await using var source = OpenInput(parse.GetValue(input)!);
                await AtomicFile.WriteAsync(parse.GetValue(output)!, sink => WorkEncryption.DecryptAsync(source, sink, sk, ct), ct);
            }
            finally { System.Security.Cryptography.CryptographicOperations.ZeroMemory(sk); }
            return 0;
        });
        return cmd;
    }

    private static Command Hash()
    {
        var file = new Argument<string>("file") { Description = "Encrypted work file" };
        var cmd = new Command("hash", "Prints H(w'): the SHA-256 of the file's bytes, as stamped and escrowed") { file };
        cmd.SetAction(async (parse, ct) =>
        {
            await using var source = OpenInput(parse.GetValue(file)!);
            var hash = await Task.Run(() => WorkHash.Compute(source), ct);
            Console.Out.WriteLine(hash.ToHex());
            return 0;
        });
        return cmd;
    }

    private static FileStream OpenInput(string path)
    {
        if (Directory.Exists(path)) throw new CliException($"input is a folder, not a file: {path}");
        if (!File.Exists(path)) throw new CliException($"input file not found: {path}");
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
    }
}
