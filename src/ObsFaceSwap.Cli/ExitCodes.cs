namespace ObsFaceSwap.Cli;

/// <summary>
/// Exit codes of <c>obs-faceswap</c>. Every command uses these; new commands add codes from 10 up.
/// <list type="table">
/// <item><term>0</term><description>success</description></item>
/// <item><term>1</term><description>verification failed: a model file's size or SHA-256 differs from the manifest (also: cannot be verified, no pinned hash)</description></item>
/// <item><term>2</term><description>bad command line, or an unknown model id</description></item>
/// <item><term>3</term><description>the model is not in the cache (<c>models verify ID</c>)</description></item>
/// <item><term>4</term><description>fetch or import failed: network, HTTP status, no download URL, source file missing, I/O</description></item>
/// <item><term>5</term><description>the model's licence needs <c>--accept-licence</c></description></item>
/// <item><term>6</term><description>the models manifest is invalid or unreadable</description></item>
/// <item><term>10</term><description><c>detect</c> / <c>process</c>: the input image or video is missing or cannot be decoded (the message names the file); <c>process --mode swap</c>: an identity is missing or unusable (no face or several, unknown name)</description></item>
/// <item><term>11</term><description><c>process</c>: the output cannot be written or encoding failed (no partial output is left)</description></item>
/// <item><term>12</term><description><c>detect</c> / <c>process</c>: ffmpeg or ffprobe is not installed</description></item>
/// <item><term>13</term><description><c>detect</c> / <c>process</c>: the verified model file cannot be loaded by ONNX Runtime, or a swap model given by path lacks its contract</description></item>
/// <item><term>20</term><description>OBS controller commands: OBS cannot be reached or refused the password</description></item>
/// <item><term>21</term><description>OBS or the module refused a request</description></item>
/// <item><term>22</term><description><c>scenes apply</c>: the scene file is invalid (the message gives FILE:LINE)</description></item>
/// <item><term>23</term><description><c>scenes apply</c>: the scene file conflicts with OBS's state</description></item>
/// <item><term>24</term><description><c>record</c>: remux or its verification failed (the mkv is kept)</description></item>
/// <item><term>25</term><description>a local file cannot be read or written</description></item>
/// <item><term>130</term><description>cancelled (Ctrl+C)</description></item>
/// </list>
/// </summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>A model's size or SHA-256 differs from the manifest, or it cannot be verified.</summary>
    public const int VerificationFailed = 1;

    /// <summary>Bad command line or unknown model id.</summary>
    public const int Usage = 2;

    /// <summary>The model is not in the cache.</summary>
    public const int Missing = 3;

    /// <summary>Download or import failed.</summary>
    public const int FetchFailed = 4;

    /// <summary>The licence notice was not accepted.</summary>
    public const int LicenceNotAccepted = 5;

    /// <summary>The models manifest is invalid.</summary>
    public const int ManifestInvalid = 6;

    /// <summary>The input image or video is missing or cannot be decoded.</summary>
    public const int InputUnreadable = 10;

    /// <summary>The output cannot be written, or encoding failed.</summary>
    public const int OutputFailed = 11;

    /// <summary>ffmpeg or ffprobe is not installed.</summary>
    public const int ToolMissing = 12;

    /// <summary>The model file verified but ONNX Runtime cannot load it.</summary>
    public const int ModelUnusable = 13;

    /// <summary>Cancelled by the user.</summary>
    public const int Cancelled = 130;

    /// <summary>OBS cannot be reached or refused the password.</summary>
    public const int ObsUnreachable = 20;

    /// <summary>OBS or the module refused a request.</summary>
    public const int ObsRefused = 21;

    /// <summary>The scene file is invalid.</summary>
    public const int SceneFileInvalid = 22;

    /// <summary>The scene file conflicts with OBS's state.</summary>
    public const int SceneConflict = 23;

    /// <summary>Remux or verification failed.</summary>
    public const int RemuxFailed = 24;

    /// <summary>A local file cannot be read or written.</summary>
    public const int LocalFile = 25;
}
