using System.Security.Cryptography;
using System.Text;

namespace ObsFaceSwap.Obs;

/// <summary>The obs-websocket v5 authentication string.</summary>
public static class ObsAuthentication
{
    /// <summary>
    /// Computes <c>base64(sha256(base64(sha256(password + salt)) + challenge))</c>, with every
    /// string encoded as UTF-8 (so passwords outside ASCII work as they do with the server).
    /// </summary>
    /// <param name="password">The server password.</param>
    /// <param name="salt">The <c>authentication.salt</c> of Hello.</param>
    /// <param name="challenge">The <c>authentication.challenge</c> of Hello.</param>
    /// <returns>The value for Identify's <c>authentication</c> field.</returns>
    public static string CreateAuthenticationString(string password, string salt, string challenge)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(salt);
        ArgumentNullException.ThrowIfNull(challenge);
        var secret = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(password + salt)));
        return Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(secret + challenge)));
    }
}
