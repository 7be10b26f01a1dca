using System.Security.Cryptography;
using FairDelegation.Node.Keys;
using Microsoft.Data.Sqlite;

namespace FairDelegation.Node.Tests;

public sealed class KeyStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fd-keys-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_stored_key_comes_back_and_is_not_in_the_file_in_clear()
    {
        var store = new KeyStore(Path.Combine(_dir, "keys.db"), RandomNumberGenerator.GetBytes(32));
        var secret = RandomNumberGenerator.GetBytes(32);
        var id = store.Store(secret, "work-key");

        using (var key = store.Open(id)) key.Bytes.ToArray().Should().Equal(secret);
        SqliteConnection.ClearAllPools();
        var fileBytes = File.ReadAllBytes(Path.Combine(_dir, "keys.db"));
        fileBytes.AsSpan().IndexOf(secret).Should().Be(-1, "keys are encrypted at rest");
    }

    [Fact]
    public void Another_node_key_cannot_open_a_record_and_the_error_shows_no_secret()
    {
        var path = Path.Combine(_dir, "keys.db");
        var id = new KeyStore(path, RandomNumberGenerator.GetBytes(32)).CreateSecp256k1Key("verifier-key");
        var other = new KeyStore(path, RandomNumberGenerator.GetBytes(32));

        var act = () => other.Open(id);
        act.Should().Throw<KeyStoreException>().WithMessage($"*{id}*wrong node key*");
    }

    [Fact]
    public void Unknown_ids_are_a_clear_error_and_material_hides_its_bytes()
    {
        var store = new KeyStore(Path.Combine(_dir, "keys.db"), RandomNumberGenerator.GetBytes(32));
        store.Invoking(s => s.Open("key-nope")).Should().Throw<KeyStoreException>().WithMessage("*key-nope*");
        using var key = store.Open(store.CreateSecp256k1Key("x"));
        key.ToString().Should().Contain("hidden");
    }

    [Fact]
    public void A_base64_node_key_whose_text_starts_with_0x_loads()
    {
        var key = new byte[32];
        key[0] = 0xD3; key[1] = 0x10; key[31] = 7;
        var text = Convert.ToBase64String(key);
        text.Should().StartWith("0x");
        var file = Path.Combine(_dir, "node.key");
        File.WriteAllText(file, text);
        KeyStore.LoadNodeKey(null, file).Should().Equal(key);
        KeyStore.LoadNodeKey(text, "/nonexistent/never-read").Should().Equal(key);
        KeyStore.LoadNodeKey("0x" + Convert.ToHexString(key), "/nonexistent/never-read").Should().Equal(key);
    }

    [Fact]
    public void The_node_key_file_is_created_once_with_owner_only_permissions()
    {
        var file = Path.Combine(_dir, "sub", "node.key");
        var first = KeyStore.LoadNodeKey(null, file);
        var second = KeyStore.LoadNodeKey(null, file);
        second.Should().Equal(first);
        if (!OperatingSystem.IsWindows())
            File.GetUnixFileMode(file).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        KeyStore.LoadNodeKey(Convert.ToBase64String(first), "/nonexistent/never-read").Should().Equal(first);
        var bad = () => KeyStore.LoadNodeKey("0x1234", file);
        bad.Should().Throw<FormatException>().WithMessage("*32 bytes*");
    }
}
