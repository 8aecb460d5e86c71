using Microsoft.AspNetCore.DataProtection;

namespace Gatehouse.Infrastructure;

/// <summary>Encrypts secrets that must be shown again (key values) with the data-protection key ring.</summary>
public sealed class SecretProtector(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("Gatehouse.Secrets.v1");

    public string Protect(string secret) => _protector.Protect(secret);

    public string Unprotect(string protectedSecret) => _protector.Unprotect(protectedSecret);
}
