using System.Reflection;
using System.Reflection.Emit;
using ObsFaceSwap.Inference.Detection;

namespace ObsFaceSwap.Benchmarks;

/// <summary>Fits a frame into a square input and fills the NHWC RGB [-1,1] tensor.</summary>
internal delegate void LetterboxFill(ReadOnlySpan<byte> bgra, int width, int height, int stride, int size, Span<float> tensor);

/// <summary>
/// Calls BlazeFace's own preprocessing, the internal <c>ObsFaceSwap.Inference.Detection.Letterbox</c>
/// (<c>Letterbox.Fit(width, height, size).Fill(bgra, width, height, stride, tensor)</c>, exactly
/// what <see cref="BlazeFaceDetector.Detect"/> runs before the model), through a small dynamic
/// method that skips visibility checks: the code measured is the Inference assembly's, not a copy.
/// </summary>
internal static class LetterboxAccess
{
    /// <summary>Builds the call; throws when the internal API has changed shape.</summary>
    public static LetterboxFill Create()
    {
        var letterbox = typeof(BlazeFaceDetector).Assembly.GetType("ObsFaceSwap.Inference.Detection.Letterbox", throwOnError: true)!;
        var fit = letterbox.GetMethod("Fit", BindingFlags.Public | BindingFlags.Static, [typeof(int), typeof(int), typeof(int)])
            ?? throw new MissingMethodException("Letterbox.Fit(int, int, int)");
        var fill = letterbox.GetMethod("Fill", BindingFlags.Public | BindingFlags.Instance, [typeof(ReadOnlySpan<byte>), typeof(int), typeof(int), typeof(int), typeof(Span<float>)])
            ?? throw new MissingMethodException("Letterbox.Fill(ReadOnlySpan<byte>, int, int, int, Span<float>)");

        var method = new DynamicMethod(
            "LetterboxFill",
            typeof(void),
            [typeof(ReadOnlySpan<byte>), typeof(int), typeof(int), typeof(int), typeof(int), typeof(Span<float>)],
            letterbox.Module,
            skipVisibility: true);
        var il = method.GetILGenerator();
        var local = il.DeclareLocal(letterbox);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldarg_2);
        il.Emit(OpCodes.Ldarg_S, (byte)4);
        il.Emit(OpCodes.Call, fit);
        il.Emit(OpCodes.Stloc, local);
        il.Emit(OpCodes.Ldloca, local);
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldarg_2);
        il.Emit(OpCodes.Ldarg_3);
        il.Emit(OpCodes.Ldarg_S, (byte)5);
        il.Emit(OpCodes.Call, fill);
        il.Emit(OpCodes.Ret);
        return method.CreateDelegate<LetterboxFill>();
    }
}
