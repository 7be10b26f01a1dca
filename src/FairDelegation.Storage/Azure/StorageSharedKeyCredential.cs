namespace FairDelegation.Storage.Azure;

/// <summary>A storage account name and its account key (the HMAC-SHA256 key for SharedKey and service SAS signatures).</summary>
public sealed class StorageSharedKeyCredential
{
    /// <summary>Azurite's well-known development account.</summary>
    public const string DevelopmentAccountName = "devstoreaccount1";

    /// <summary>Azurite's well-known development account key (public, documented; not a secret).</summary>
    public const string DevelopmentAccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly byte[] _key;

    public StorageSharedKeyCredential(string accountName, string accountKey)
    {
        if (string.IsNullOrWhiteSpace(accountName)) throw new ArgumentException("storage account name is empty", nameof(accountName));
        if (string.IsNullOrWhiteSpace(accountKey)) throw new ArgumentException("storage account key is empty", nameof(accountKey));
        AccountName = accountName;
        try
        {
            _key = Convert.FromBase64String(accountKey);
        }
        catch (FormatException)
        {
            // Never echo the key itself.
            throw new FormatException($"the account key for storage account '{accountName}' is not valid base64");
        }
    }

    public string AccountName { get; }

    /// <summary>HMAC-SHA256 of the UTF-8 string under the account key, base64.</summary>
    internal string Sign(string stringToSign) =>
        Convert.ToBase64String(System.Security.Cryptography.HMACSHA256.HashData(_key, System.Text.Encoding.UTF8.GetBytes(stringToSign)));

    public override string ToString() => $"SharedKey({AccountName})";
}
