using System.Security.Cryptography;
using System.Text;

namespace FairDelegation.Durable.Worker;

/// <summary>Name-based (version 5 style) GUIDs: the same inputs give the same GUID on every replay.</summary>
internal static class DeterministicGuid
{
    private static readonly byte[] Namespace = Guid.Parse("9e952958-5e33-4daf-827f-2fa12937b875").ToByteArray();

    public static Guid Create(string name)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var data = new byte[Namespace.Length + nameBytes.Length];
        Namespace.CopyTo(data, 0);
        nameBytes.CopyTo(data, Namespace.Length);
        var hash = SHA1.HashData(data);
        var g = new byte[16];
        Array.Copy(hash, g, 16);
        g[7] = (byte)((g[7] & 0x0F) | 0x50); // version 5 (Guid byte order: time_hi is bytes 6-7, little-endian)
        g[8] = (byte)((g[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(g);
    }
}
