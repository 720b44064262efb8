namespace ObsFaceSwap.Obs.Tests;

public sealed class ObsAuthenticationTests
{
    // Expected values computed independently with Python's hashlib:
    //   secret = base64(sha256((password + salt).encode("utf-8")))
    //   base64(sha256((secret + challenge).encode("utf-8")))
    [Theory]
    [InlineData(
        "supersecretpassword",
        "lM1GncleQOaCu9lT1yeUZhFYnqhsLLP1G5lAGo3ixaI=",
        "+IxH4CnCiqpX1rM9scsNynZzbOe4KhDeYcTNS3PDaeY=",
        "1Ct943GAT+6YQUUX47Ia/ncufilbe6+oD6lY+5kaCu4=")]
    [InlineData(
        "pässwörd ✓ 密码",
        "PZVbYpvAnZut2SS6JNJytDm9",
        "ztTBnnuqrqaKDzRM3xcVdbYm",
        "HfK4SZxwqRx1Pn5xFafxGNyT6IV/kevG4EhYFutFsKs=")]
    public void Authentication_string_matches_an_independent_computation(string password, string salt, string challenge, string expected)
    {
        Assert.Equal(expected, ObsAuthentication.CreateAuthenticationString(password, salt, challenge));
    }
}
