using System.Text.Json.Nodes;

namespace ObsFaceSwap.Obs;

/// <summary>GetSourceScreenshot's answer.</summary>
/// <param name="ImageData">The image as a data URI (<c>data:image/png;base64,...</c>).</param>
public sealed record ObsScreenshot(string ImageData)
{
    /// <summary>Decodes the data URI's payload.</summary>
    /// <returns>The encoded image file's bytes (PNG, JPEG, ... as requested).</returns>
    public byte[] GetImageBytes()
    {
        var comma = ImageData.IndexOf(',', StringComparison.Ordinal);
        return Convert.FromBase64String(comma >= 0 ? ImageData[(comma + 1)..] : ImageData);
    }
}

/// <content>Requests of the Sources category.</content>
public sealed partial class ObsWebSocketClient
{
    /// <summary>GetSourceScreenshot: renders a source (or scene) to an encoded image.</summary>
    /// <param name="sourceName">The source or scene.</param>
    /// <param name="imageFormat">An image format from GetVersion's supportedImageFormats, e.g. <c>png</c>.</param>
    /// <param name="imageWidth">Width to scale to (8 to 4096), or null for the source's own.</param>
    /// <param name="imageHeight">Height to scale to (8 to 4096), or null for the source's own.</param>
    /// <param name="imageCompressionQuality">-1 (default) or 0 to 100.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The screenshot.</returns>
    public async Task<ObsScreenshot> GetSourceScreenshotAsync(
        string sourceName,
        string imageFormat = "png",
        int? imageWidth = null,
        int? imageHeight = null,
        int? imageCompressionQuality = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourceName);
        ArgumentException.ThrowIfNullOrEmpty(imageFormat);
        var data = new JsonObject { ["sourceName"] = sourceName, ["imageFormat"] = imageFormat };
        if (imageWidth is int width)
        {
            data["imageWidth"] = width;
        }

        if (imageHeight is int height)
        {
            data["imageHeight"] = height;
        }

        if (imageCompressionQuality is int quality)
        {
            data["imageCompressionQuality"] = quality;
        }

        var response = await RequestAsync("GetSourceScreenshot", data, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new ObsScreenshot(response.ReadString("imageData"));
    }
}
