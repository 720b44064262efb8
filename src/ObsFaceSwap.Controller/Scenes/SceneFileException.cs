namespace ObsFaceSwap.Controller.Scenes;

/// <summary>A scene file is malformed (YAML syntax) or names an unknown field, kind or source.</summary>
public sealed class SceneFileException : Exception
{
    /// <summary>Creates the exception for a problem at <paramref name="line"/> of <paramref name="file"/>.</summary>
    /// <param name="file">The file (as given), or null.</param>
    /// <param name="line">1-based line, or 0 when not known.</param>
    /// <param name="problem">What is wrong.</param>
    /// <param name="inner">The parser's exception, if any.</param>
    public SceneFileException(string? file, int line, string problem, Exception? inner = null)
        : base($"{file ?? "scene file"}{(line > 0 ? $":{line}" : "")}: {problem}", inner)
    {
        File = file;
        Line = line;
        Problem = problem;
    }

    /// <inheritdoc />
    public SceneFileException() : this(null, 0, "invalid scene file")
    {
    }

    /// <inheritdoc />
    public SceneFileException(string message) : this(null, 0, message)
    {
    }

    /// <inheritdoc />
    public SceneFileException(string message, Exception innerException) : this(null, 0, message, innerException)
    {
    }

    /// <summary>The file, as given.</summary>
    public string? File { get; }

    /// <summary>The 1-based line of the problem; 0 when not known.</summary>
    public int Line { get; }

    /// <summary>What is wrong, without the position.</summary>
    public string Problem { get; }
}

/// <summary>The scene file cannot be applied to this OBS (e.g. a source exists with another kind, a kind OBS lacks).</summary>
public sealed class SceneConflictException : Exception
{
    /// <inheritdoc />
    public SceneConflictException()
    {
    }

    /// <inheritdoc />
    public SceneConflictException(string message) : base(message)
    {
    }

    /// <inheritdoc />
    public SceneConflictException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
