using System.Security.Cryptography;
using System.Text;

namespace CanvasSync.Security;

/// <summary>
/// The key outside the database that encrypts the Data Protection key ring inside it: a file holding 32 random
/// bytes (base64), readable by the service's user only. Someone with a copy of the database but not this file can
/// read no Canvas token. Its id (a hash prefix, not the key) tells which master key encrypted a key-ring entry.
/// </summary>
internal sealed class MasterKey
{
    private const int NonceBytes = 12, TagBytes = 16;
    private readonly byte[] _key;

    private MasterKey(byte[] key)
    {
        _key = key;
        Id = Convert.ToHexStringLower(SHA256.HashData(key))[..12];
    }

    public string Id { get; }

    public static MasterKey Load(string path)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(File.ReadAllText(path).Trim());
        }
        catch (FileNotFoundException)
        {
            throw new MasterKeyException($"Security:MasterKeyFile {path} does not exist (serve creates one on first start)");
        }
        catch (FormatException)
        {
            throw new MasterKeyException($"Security:MasterKeyFile {path} is not a CanvasSync master key (32 bytes in base64)");
        }

        return key.Length == 32 ? new MasterKey(key)
            : throw new MasterKeyException($"Security:MasterKeyFile {path} holds {key.Length} bytes; a master key has 32");
    }

    /// <summary>A new random key, written so that only the owner may read it.</summary>
    public static MasterKey Create(string path)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var file = new StreamWriter(path, Encoding.ASCII, options)) file.WriteLine(Convert.ToBase64String(key));
        return new MasterKey(key);
    }

    /// <summary>AES-256-GCM: nonce, tag, ciphertext.</summary>
    public byte[] Seal(byte[] plaintext)
    {
        var output = new byte[NonceBytes + TagBytes + plaintext.Length];
        var nonce = output.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagBytes);
        aes.Encrypt(nonce, plaintext, output.AsSpan(NonceBytes + TagBytes), output.AsSpan(NonceBytes, TagBytes));
        return output;
    }

    /// <summary>Throws <see cref="CryptographicException"/> when the data was sealed with another key or altered.</summary>
    public byte[] Open(byte[] sealedData)
    {
        if (sealedData.Length < NonceBytes + TagBytes) throw new CryptographicException("sealed data too short");
        var plaintext = new byte[sealedData.Length - NonceBytes - TagBytes];
        using var aes = new AesGcm(_key, TagBytes);
        aes.Decrypt(sealedData.AsSpan(0, NonceBytes), sealedData.AsSpan(NonceBytes + TagBytes), sealedData.AsSpan(NonceBytes, TagBytes),
            plaintext);
        return plaintext;
    }
}

/// <summary>The master key file is missing, unreadable or not a key: an operator's problem, said in one line.</summary>
internal sealed class MasterKeyException(string message) : InvalidOperationException(message);
