using Google.Protobuf;

namespace ObsFaceSwap.Inference.Swap;

/// <summary>
/// Finds the last initializer of an .onnx file's graph by walking its protobuf fields with
/// <see cref="CodedInputStream"/>, without loading the file: large fields (weights) are skipped
/// by seeking, and only the last initializer's header (name, type, dims) and the position of its
/// data are kept.
/// </summary>
/// <remarks>
/// Field numbers from ONNX's onnx.proto (IR version 8; checked against Debian's
/// /usr/include/onnx/onnx.proto): <c>ModelProto.graph = 7</c>; <c>GraphProto.initializer = 5</c>;
/// <c>TensorProto</c>: <c>dims = 1</c> (packed or not), <c>data_type = 2</c>,
/// <c>float_data = 4</c> (packed), <c>int32_data = 5</c> (packed; float16 bit patterns),
/// <c>name = 8</c>, <c>raw_data = 9</c>, <c>data_location = 14</c> (1 = EXTERNAL). The
/// generated classes are not used, so nothing here needs onnx.proto at build time.
/// </remarks>
internal static class OnnxInitializerScanner
{
    /// <summary>ONNX <c>TensorProto.DataType.FLOAT</c>.</summary>
    public const int Float = 1;

    /// <summary>ONNX <c>TensorProto.DataType.FLOAT16</c>.</summary>
    public const int Float16 = 10;

    private const int ModelGraph = 7;
    private const int GraphInitializer = 5;
    private const int TensorDims = 1;
    private const int TensorDataType = 2;
    private const int TensorFloatData = 4;
    private const int TensorInt32Data = 5;
    private const int TensorName = 8;
    private const int TensorRawData = 9;
    private const int TensorDataLocation = 14;

    /// <summary>Where a tensor's values lie.</summary>
    internal enum Storage
    {
        /// <summary>No values in the file (none, or an encoding not read here).</summary>
        None,

        /// <summary><c>raw_data</c>: little-endian values.</summary>
        Raw,

        /// <summary><c>float_data</c>, packed: little-endian float32 values.</summary>
        FloatData,

        /// <summary><c>int32_data</c>, packed: one varint per value (float16 bits for FLOAT16).</summary>
        Int32Data,
    }

    /// <summary>The last initializer's header and where its values lie.</summary>
    /// <param name="Name">Tensor name.</param>
    /// <param name="DataType">ONNX data type number (1 FLOAT, 10 FLOAT16, 7 INT64, ...).</param>
    /// <param name="Dims">Dimensions.</param>
    /// <param name="Storage">Which field holds the values.</param>
    /// <param name="Offset">File offset of the values' first byte.</param>
    /// <param name="Length">Bytes of the values' field.</param>
    /// <param name="External">The values are stored in another file (<c>data_location = EXTERNAL</c>).</param>
    internal sealed record Initializer(string Name, int DataType, long[] Dims, Storage Storage, long Offset, long Length, bool External);

    /// <summary>The ONNX name of a data type number, e.g. "float32", "int64".</summary>
    public static string TypeName(int dataType) => dataType switch
    {
        1 => "float32",
        2 => "uint8",
        3 => "int8",
        4 => "uint16",
        5 => "int16",
        6 => "int32",
        7 => "int64",
        8 => "string",
        9 => "bool",
        10 => "float16",
        11 => "float64",
        12 => "uint32",
        13 => "uint64",
        16 => "bfloat16",
        _ => $"data type {dataType}",
    };

    /// <summary>Scans <paramref name="path"/> for its graph's last initializer.</summary>
    /// <returns>The initializer, or null when the graph has none.</returns>
    /// <exception cref="InvalidProtocolBufferException">The file is not a well-formed protobuf message.</exception>
    /// <exception cref="InvalidDataException">A field runs past its message or the file.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static Initializer? FindLast(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        using var reader = new Reader(file);
        Initializer? last = null;
        uint tag;
        while ((tag = reader.In.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == ModelGraph && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                var end = reader.EndOfField();
                while (reader.Position < end)
                {
                    var graphTag = reader.In.ReadTag();
                    if (WireFormat.GetTagFieldNumber(graphTag) == GraphInitializer && WireFormat.GetTagWireType(graphTag) == WireFormat.WireType.LengthDelimited)
                    {
                        last = ReadTensor(reader, reader.EndOfField());
                    }
                    else
                    {
                        reader.Skip(graphTag);
                    }
                }

                reader.Expect(end);
            }
            else
            {
                reader.Skip(tag);
            }
        }

        return last;
    }

    /// <summary>Reads the values of <paramref name="initializer"/> (float32 or float16) as floats into <paramref name="values"/>.</summary>
    /// <exception cref="InvalidDataException">The stored data does not hold exactly values.Length values.</exception>
    public static void ReadValues(string path, Initializer initializer, Span<float> values)
    {
        var count = values.Length;
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        var size = initializer.DataType == Float16 ? 2 : 4;
        switch (initializer.Storage)
        {
            case Storage.Raw or Storage.FloatData:
                if (initializer.Length != (long)count * size)
                {
                    throw new InvalidDataException($"initializer '{initializer.Name}' stores {initializer.Length} bytes, {count} {TypeName(initializer.DataType)} values need {(long)count * size}");
                }

                var bytes = new byte[initializer.Length];
                file.Position = initializer.Offset;
                file.ReadExactly(bytes);
                for (var i = 0; i < count; i++)
                {
                    values[i] = size == 2
                        ? (float)BitConverter.UInt16BitsToHalf(System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(i * 2)))
                        : System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4));
                }

                break;
            case Storage.Int32Data when initializer.DataType == Float16:
                using (var reader = new Reader(file))
                {
                    reader.SeekTo(initializer.Offset);
                    var end = initializer.Offset + initializer.Length;
                    var i = 0;
                    while (reader.Position < end)
                    {
                        var bits = reader.In.ReadInt32();
                        if (i < count)
                        {
                            values[i] = (float)BitConverter.UInt16BitsToHalf((ushort)bits);
                        }

                        i++;
                    }

                    if (i != count)
                    {
                        throw new InvalidDataException($"initializer '{initializer.Name}' stores {i} values, expected {count}");
                    }
                }

                break;
            default:
                throw new InvalidDataException($"initializer '{initializer.Name}' has no values in a form read here (raw_data, float_data, or int32_data for float16)");
        }
    }

    private static Initializer ReadTensor(Reader reader, long end)
    {
        var dims = new List<long>(2);
        var dataType = 0;
        var name = string.Empty;
        var storage = Storage.None;
        long offset = 0;
        long length = 0;
        var external = false;
        while (reader.Position < end)
        {
            var tag = reader.In.ReadTag();
            var wire = WireFormat.GetTagWireType(tag);
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case TensorDims when wire == WireFormat.WireType.Varint:
                    dims.Add(reader.In.ReadInt64());
                    break;
                case TensorDims when wire == WireFormat.WireType.LengthDelimited:
                    var dimsEnd = reader.EndOfField();
                    while (reader.Position < dimsEnd)
                    {
                        dims.Add(reader.In.ReadInt64());
                    }

                    reader.Expect(dimsEnd);
                    break;
                case TensorDataType when wire == WireFormat.WireType.Varint:
                    dataType = reader.In.ReadInt32();
                    break;
                case TensorName when wire == WireFormat.WireType.LengthDelimited:
                    name = reader.In.ReadString();
                    break;
                case TensorDataLocation when wire == WireFormat.WireType.Varint:
                    external = reader.In.ReadEnum() == 1;
                    break;
                case TensorRawData or TensorFloatData or TensorInt32Data when wire == WireFormat.WireType.LengthDelimited:
                    storage = WireFormat.GetTagFieldNumber(tag) switch
                    {
                        TensorRawData => Storage.Raw,
                        TensorFloatData => Storage.FloatData,
                        _ => Storage.Int32Data,
                    };
                    var fieldEnd = reader.EndOfField();
                    offset = reader.Position;
                    length = fieldEnd - offset;
                    reader.SeekTo(fieldEnd);
                    break;
                default:
                    reader.Skip(tag);
                    break;
            }
        }

        reader.Expect(end);
        return new Initializer(name, dataType, [.. dims], storage, offset, length, external);
    }

    /// <summary>A <see cref="CodedInputStream"/> over a seekable file that can jump over large fields.</summary>
    private sealed class Reader(FileStream file) : IDisposable
    {
        public CodedInputStream In { get; private set; } = new(file, leaveOpen: true);

        /// <summary>
        /// File offset of the next byte the stream reads. (CodedInputStream derives its Position
        /// from the underlying stream's, so it is the file offset even after a seek.)
        /// </summary>
        public long Position => In.Position;

        /// <summary>Reads a length prefix; returns the file offset where that field ends.</summary>
        public long EndOfField()
        {
            var length = In.ReadLength();
            var end = Position + length;
            if (length < 0 || end > file.Length)
            {
                throw new InvalidDataException($"a field of {length} bytes at offset {Position} runs past the end of the file ({file.Length} bytes)");
            }

            return end;
        }

        /// <summary>Skips the field whose tag was just read; length-delimited fields by seeking.</summary>
        public void Skip(uint tag)
        {
            if (WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                SeekTo(EndOfField());
            }
            else
            {
                In.SkipLastField();
            }
        }

        /// <summary>Throws unless the stream stands at <paramref name="end"/> (a sub-message parsed exactly).</summary>
        public void Expect(long end)
        {
            if (Position != end)
            {
                throw new InvalidDataException($"a message ends at offset {end} but its fields end at {Position}");
            }
        }

        public void SeekTo(long offset)
        {
            In.Dispose();
            file.Position = offset;
            In = new CodedInputStream(file, leaveOpen: true);
        }

        public void Dispose() => In.Dispose();
    }
}
