namespace ObsFaceSwap.Testing.Media;

/// <summary>
/// The two public-domain face images (provenance in tests/fixtures/faces/README.md): the
/// repository's copies, else the shared media folder beside the repository (<c>../shared/media</c>).
/// </summary>
public static class FaceImages
{
    /// <summary>Eileen Collins, NASA portrait, 512x512 PNG.</summary>
    public const string Astronaut = "astronaut.png";

    /// <summary>Grace Hopper, US Navy portrait, 512x600 JPEG.</summary>
    public const string GraceHopper = "grace_hopper.jpg";

    /// <summary>The full path of a face image.</summary>
    /// <param name="fileName"><see cref="Astronaut"/> or <see cref="GraceHopper"/>.</param>
    /// <returns>The path.</returns>
    public static string PathOf(string fileName)
    {
        string[] candidates =
        [
            Path.Combine(RepositoryLayout.FixturesDirectory, "faces", fileName),
            Path.Combine(RepositoryLayout.SharedDirectory, "media", fileName),
        ];
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"Face image {fileName} is in neither {string.Join(" nor ", candidates)}.", fileName);
    }
}
