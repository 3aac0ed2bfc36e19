using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using CanvasSync.Hosting;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CanvasSync.Security;

/// <summary>
/// Where the master key lives (Security:MasterKeyFile), loaded once. Missing, the key ring cannot be read: tokens
/// then fail to decrypt and their connections go to needs_reauth; nobody else can read them either.
/// </summary>
internal sealed class MasterKeyFile(IOptions<SecurityOptions> options)
{
    private readonly Lazy<MasterKey> _key = new(() => MasterKey.Load(options.Value.MasterKeyFile));

    public string Path => options.Value.MasterKeyFile;
    public bool Exists => File.Exists(Path);
    public MasterKey Key => _key.Value;
}

/// <summary>Encrypts each Data Protection key's XML with the master key before it is stored in the database.</summary>
internal sealed class MasterKeyXmlEncryptor(MasterKeyFile file) : IXmlEncryptor
{
    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var key = file.Key;
        var sealedXml = key.Seal(Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting)));
        var element = new XElement("encryptedWithMasterKey",
            new XComment(" A CanvasSync master key (Security:MasterKeyFile) is needed to read this key. "),
            new XAttribute("masterKeyId", key.Id),
            new XElement("value", Convert.ToBase64String(sealedXml)));
        return new EncryptedXmlInfo(element, typeof(MasterKeyXmlDecryptor));
    }
}

/// <summary>Data Protection creates this by type with the service provider, when it reads an encrypted key.</summary>
internal sealed class MasterKeyXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    /// <summary>The master key id a stored key-ring entry (its whole XML) was sealed with, or null if it names none.</summary>
    public static string? MasterKeyIdOf(string keyXml) =>
        (string?)XElement.Parse(keyXml).Descendants("encryptedWithMasterKey").FirstOrDefault()?.Attribute("masterKeyId");

    /// <summary>Whether <paramref name="key"/> opens a stored key-ring entry (its whole XML).</summary>
    public static bool Opens(MasterKey key, string keyXml)
    {
        var sealedElement = XElement.Parse(keyXml).Descendants("encryptedWithMasterKey").FirstOrDefault();
        if (sealedElement is null || (string?)sealedElement.Attribute("masterKeyId") != key.Id) return false;
        try
        {
            key.Open(Convert.FromBase64String((string?)sealedElement.Element("value") ?? ""));
            return true;
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            return false;
        }
    }

    public XElement Decrypt(XElement encryptedElement)
    {
        var key = services.GetRequiredService<MasterKeyFile>().Key;
        var id = (string?)encryptedElement.Attribute("masterKeyId");
        if (id != key.Id) throw new CryptographicException($"this key-ring entry was encrypted with master key {id}; Security:MasterKeyFile holds {key.Id}");
        var sealedXml = Convert.FromBase64String((string?)encryptedElement.Element("value") ?? "");
        return XElement.Parse(Encoding.UTF8.GetString(key.Open(sealedXml)));
    }
}
