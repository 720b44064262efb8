using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace ObsFaceSwap.Channel.Tests;

/// <summary>
/// Proves that Wire.cs mirrors native-shim/include/obs-faceswap/wire.h: the header is parsed
/// for its structs, fields, defines and enums; a C program generated from that list is
/// compiled with the system compiler (cc) and prints sizeof/offsetof of every field and the
/// value of every constant; each must agree with the C# mirror.
/// </summary>
public sealed partial class WireLayoutTests
{
    private static readonly Lazy<CLayout> Layout = new(CLayout.Build);

    // C enum -> C# enum and the prefix its members drop.
    private static readonly Dictionary<string, (Type Type, string Prefix)> EnumMap = new()
    {
        ["ofs_slot_state"] = (typeof(SlotState), "OFS_SLOT_"),
        ["ofs_pixel_format"] = (typeof(PixelFormat), "OFS_PIXEL_"),
        ["ofs_result_status"] = (typeof(ResultStatus), "OFS_RESULT_"),
        ["ofs_item_kind"] = (typeof(ItemKind), "OFS_ITEM_"),
        ["ofs_patch_format"] = (typeof(PatchFormat), "OFS_PATCH_"),
        ["ofs_control_type"] = (typeof(ControlMessageType), "OFS_MSG_"),
        ["ofs_control_error"] = (typeof(ControlErrorCode), "OFS_ERR_"),
    };

    private static readonly Dictionary<string, Type> CTypes = new()
    {
        ["uint8_t"] = typeof(byte),
        ["char"] = typeof(byte),
        ["uint16_t"] = typeof(ushort),
        ["uint32_t"] = typeof(uint),
        ["int32_t"] = typeof(int),
        ["uint64_t"] = typeof(ulong),
        ["int64_t"] = typeof(long),
        ["float"] = typeof(float),
        ["double"] = typeof(double),
    };

    [Fact]
    public void The_header_parses_into_the_nine_wire_structs()
    {
        var names = Layout.Value.Structs.Keys.Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(
            ["ofs_channel_header", "ofs_control_header", "ofs_frame_slot", "ofs_msg_channel_ref", "ofs_msg_error", "ofs_msg_hello", "ofs_msg_open_channel", "ofs_result_item", "ofs_result_slot"],
            names);
        Assert.All(Layout.Value.Structs.Values, s => Assert.NotEmpty(s.Fields));
    }

    [Fact]
    public void Every_struct_has_the_same_size_in_CSharp_and_C()
    {
        foreach (var s in Layout.Value.Structs.Values)
        {
            var type = MirrorType(s.Name);
            Assert.True(s.Size == Marshal.SizeOf(type), $"{s.Name}: C sizeof {s.Size}, Marshal.SizeOf {Marshal.SizeOf(type)}");
            Assert.True(s.Size == UnsafeSizeOf(type), $"{s.Name}: C sizeof {s.Size}, Unsafe.SizeOf {UnsafeSizeOf(type)}");
        }
    }

    [Fact]
    public void Every_field_of_every_struct_has_the_same_name_order_offset_size_and_type()
    {
        var problems = new List<string>();
        foreach (var s in Layout.Value.Structs.Values)
        {
            problems.AddRange(Compare(s, MirrorType(s.Name)));
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void The_parsed_fields_cover_every_byte_of_each_C_struct()
    {
        // Proves the parser missed no field: with no padding (wire.h's rule), the fields the
        // compiler reports must tile the struct exactly.
        foreach (var s in Layout.Value.Structs.Values)
        {
            var end = 0;
            foreach (var f in s.Fields)
            {
                Assert.True(f.Offset == end, $"{s.Name}.{f.Name}: offset {f.Offset}, previous field ended at {end}");
                end = f.Offset + f.Size;
            }

            Assert.Equal(s.Size, end);
        }
    }

    [Fact]
    public void Every_define_has_the_same_value_in_Wire()
    {
        Assert.NotEmpty(Layout.Value.Constants);
        foreach (var (name, value) in Layout.Value.Constants)
        {
            var csName = Pascal(name["OFS_".Length..]);
            var field = typeof(Wire).GetField(csName, BindingFlags.Public | BindingFlags.Static);
            Assert.True(field is { IsLiteral: true }, $"{name}: Wire.{csName} is missing");
            Assert.True(Convert.ToUInt64(field!.GetRawConstantValue(), CultureInfo.InvariantCulture) == value, $"{name}: C {value}, Wire.{csName} {field.GetRawConstantValue()}");
        }
    }

    [Fact]
    public void The_derived_size_constants_match_the_C_sizes()
    {
        var s = Layout.Value.Structs;
        Assert.Equal(Wire.ChannelHeaderSize, s["ofs_channel_header"].Size);
        Assert.Equal(Wire.SlotHeaderSize, s["ofs_frame_slot"].Size);
        Assert.Equal(Wire.SlotHeaderSize, s["ofs_result_slot"].Size);
        Assert.Equal(Wire.ResultItemSize, s["ofs_result_item"].Size);
        Assert.Equal(Wire.ControlHeaderSize, s["ofs_control_header"].Size);
    }

    [Fact]
    public void Every_enum_has_exactly_the_same_members_and_values()
    {
        var enums = Layout.Value.Enums;
        Assert.Equal(EnumMap.Keys.Order(StringComparer.Ordinal), enums.Keys.Order(StringComparer.Ordinal));
        foreach (var (cEnum, members) in enums)
        {
            var (type, prefix) = EnumMap[cEnum];
            foreach (var (name, value) in members)
            {
                Assert.StartsWith(prefix, name, StringComparison.Ordinal);
                var csName = Pascal(name[prefix.Length..]);
                Assert.True(Enum.TryParse(type, csName, ignoreCase: false, out var parsed), $"{name}: {type.Name}.{csName} is missing");
                var csValue = Convert.ToInt64(parsed, CultureInfo.InvariantCulture);
                Assert.True(csValue == value, $"{name}: C {value}, {type.Name}.{csName} {csValue}");
            }

            Assert.True(Enum.GetNames(type).Length == members.Count, $"{type.Name} has {Enum.GetNames(type).Length} members, {cEnum} has {members.Count}");
        }
    }

    [Fact]
    public void A_struct_that_differs_from_the_header_is_reported_field_by_field()
    {
        var problems = Compare(Layout.Value.Structs["ofs_frame_slot"], typeof(MismatchedFrameSlot));

        // width/height swapped, stride narrowed to 16 bits, reserved dropped.
        Assert.Contains(problems, p => p.Contains("field 5", StringComparison.Ordinal) && p.Contains("width", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Stride", StringComparison.Ordinal) && p.Contains("size", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("field count", StringComparison.Ordinal));
        Assert.NotEmpty(Compare(Layout.Value.Structs["ofs_result_item"], typeof(OfsResultSlot)));
    }

    [Fact]
    public void The_header_is_the_one_in_the_repository()
    {
        Assert.True(File.Exists(RepoPaths.WireHeader), RepoPaths.WireHeader);
        Assert.Contains("OBS_FACESWAP_WIRE_H", File.ReadAllText(RepoPaths.WireHeader), StringComparison.Ordinal);
    }

    private static List<string> Compare(CStruct s, Type type)
    {
        var problems = new List<string>();
        var fields = type.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance);
        if (fields.Length != s.Fields.Count)
        {
            problems.Add($"{s.Name}: field count C {s.Fields.Count}, {type.Name} {fields.Length}");
        }

        for (var i = 0; i < Math.Min(fields.Length, s.Fields.Count); i++)
        {
            var c = s.Fields[i];
            var f = fields[i];
            var expectedName = Pascal(c.Name);
            if (f.Name != expectedName)
            {
                problems.Add($"{s.Name} field {i}: C '{c.Name}' (expected C# '{expectedName}'), {type.Name} has '{f.Name}'");
                continue;
            }

            var offset = (int)Marshal.OffsetOf(type, f.Name);
            var (elementType, length) = Describe(f);
            var size = Marshal.SizeOf(elementType) * length;
            if (offset != c.Offset)
            {
                problems.Add($"{s.Name}.{c.Name}: offset C {c.Offset}, {type.Name}.{f.Name} {offset}");
            }

            if (size != c.Size)
            {
                problems.Add($"{s.Name}.{c.Name}: size C {c.Size}, {type.Name}.{f.Name} size {size}");
            }

            if (!CTypes.TryGetValue(c.CType, out var expectedType) || expectedType != elementType || length != c.ArrayLength)
            {
                problems.Add($"{s.Name}.{c.Name}: type C {c.CType}[{c.ArrayLength}], {type.Name}.{f.Name} {elementType.Name}[{length}]");
            }
        }

        return problems;
    }

    private static (Type ElementType, int Length) Describe(FieldInfo field)
    {
        var fixedBuffer = field.GetCustomAttribute<FixedBufferAttribute>();
        return fixedBuffer is not null ? (fixedBuffer.ElementType, fixedBuffer.Length) : (field.FieldType, 1);
    }

    private static Type MirrorType(string cName)
        => typeof(Wire).Assembly.GetType("ObsFaceSwap.Channel." + Pascal(cName))
           ?? throw new InvalidOperationException($"no C# mirror ObsFaceSwap.Channel.{Pascal(cName)} for struct {cName}");

    private static int UnsafeSizeOf(Type type)
        => (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(type).Invoke(null, null)!;

    /// <summary>snake_case or UPPER_CASE -> PascalCase ("frame_slot_count" -> "FrameSlotCount", "NV12" -> "Nv12").</summary>
    private static string Pascal(string name)
    {
        var sb = new StringBuilder();
        foreach (var part in name.Split('_', StringSplitOptions.RemoveEmptyEntries))
        {
            sb.Append(char.ToUpperInvariant(part[0])).Append(part[1..].ToLowerInvariant());
        }

        return sb.ToString();
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MismatchedFrameSlot
    {
        public uint State;
        public uint Generation;
        public ulong FrameId;
        public ulong TimestampNs;
        public uint PixelFormat;
        public uint Height;
        public uint Width;
        public ushort Stride;
        public uint UvOffset;
        public uint UvStride;
        public uint DataSize;
        public uint SourceWidth;
        public uint SourceHeight;
    }

    private sealed record CField(string Name, string CType, int ArrayLength, int Offset, int Size);

    private sealed record CStruct(string Name, int Size, List<CField> Fields);

    /// <summary>What the compiled C program reports about wire.h.</summary>
    private sealed partial class CLayout
    {
        public Dictionary<string, CStruct> Structs { get; } = [];

        public Dictionary<string, ulong> Constants { get; } = [];

        public Dictionary<string, Dictionary<string, long>> Enums { get; } = [];

        public static CLayout Build()
        {
            var header = RepoPaths.WireHeader;
            var text = StripComments(File.ReadAllText(header));
            var structs = ParseStructs(text);
            var enums = ParseEnums(text);
            var defines = DefineRegex().Matches(text).Select(m => m.Groups[1].Value).ToList();

            var c = new StringBuilder();
            c.AppendLine("#include <stdio.h>").AppendLine("#include <stddef.h>").AppendLine("#include \"obs-faceswap/wire.h\"").AppendLine("int main(void) {");
            foreach (var (name, fields) in structs)
            {
                c.AppendLine(CultureInfo.InvariantCulture, $"  printf(\"S {name} %zu\\n\", sizeof(struct {name}));");
                foreach (var (field, ctype, length) in fields)
                {
                    c.AppendLine(CultureInfo.InvariantCulture, $"  printf(\"F {name} {field} {ctype} {length} %zu %zu\\n\", offsetof(struct {name}, {field}), sizeof(((struct {name} *)0)->{field}));");
                }
            }

            foreach (var name in defines)
            {
                c.AppendLine(CultureInfo.InvariantCulture, $"  printf(\"C {name} %llu\\n\", (unsigned long long)({name}));");
            }

            foreach (var (name, members) in enums)
            {
                foreach (var member in members)
                {
                    c.AppendLine(CultureInfo.InvariantCulture, $"  printf(\"E {name} {member} %lld\\n\", (long long)({member}));");
                }
            }

            c.AppendLine("  return 0;").AppendLine("}");

            var dir = Directory.CreateTempSubdirectory("ofs-wire-layout-");
            try
            {
                var source = Path.Combine(dir.FullName, "layout.c");
                var exe = Path.Combine(dir.FullName, "layout");
                File.WriteAllText(source, c.ToString());
                var include = Path.GetDirectoryName(Path.GetDirectoryName(header))!;
                Run("cc", ["-std=c17", "-Wall", "-Wextra", "-Werror", "-I", include, "-o", exe, source]);
                return Parse(Run(exe, []));
            }
            finally
            {
                dir.Delete(recursive: true);
            }
        }

        private static CLayout Parse(string output)
        {
            var layout = new CLayout();
            foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var p = line.Split(' ');
                switch (p[0])
                {
                    case "S":
                        layout.Structs[p[1]] = new CStruct(p[1], int.Parse(p[2], CultureInfo.InvariantCulture), []);
                        break;
                    case "F":
                        layout.Structs[p[1]].Fields.Add(new CField(p[2], p[3], int.Parse(p[4], CultureInfo.InvariantCulture), int.Parse(p[5], CultureInfo.InvariantCulture), int.Parse(p[6], CultureInfo.InvariantCulture)));
                        break;
                    case "C":
                        layout.Constants[p[1]] = ulong.Parse(p[2], CultureInfo.InvariantCulture);
                        break;
                    case "E":
                        if (!layout.Enums.TryGetValue(p[1], out var members))
                        {
                            layout.Enums[p[1]] = members = [];
                        }

                        members[p[2]] = long.Parse(p[3], CultureInfo.InvariantCulture);
                        break;
                    default:
                        throw new InvalidDataException($"unexpected line from the layout program: {line}");
                }
            }

            return layout;
        }

        private static string StripComments(string text)
            => LineCommentRegex().Replace(BlockCommentRegex().Replace(text, " "), string.Empty);

        private static List<(string Name, List<(string Field, string CType, int Length)> Fields)> ParseStructs(string text)
        {
            var list = new List<(string, List<(string, string, int)>)>();
            foreach (Match m in StructRegex().Matches(text))
            {
                var fields = new List<(string, string, int)>();
                foreach (var decl in m.Groups[2].Value.Split(';').Select(d => d.Trim()).Where(d => d.Length > 0))
                {
                    var f = FieldRegex().Match(decl);
                    if (!f.Success)
                    {
                        throw new InvalidDataException($"struct {m.Groups[1].Value}: cannot parse declaration '{decl}'");
                    }

                    var length = 1;
                    if (f.Groups[3].Success)
                    {
                        length = int.TryParse(f.Groups[3].Value, CultureInfo.InvariantCulture, out var n) ? n : -1;
                    }

                    fields.Add((f.Groups[2].Value, f.Groups[1].Value, length));
                }

                list.Add((m.Groups[1].Value, fields));
            }

            // Array lengths given by a define (char shm_name[OFS_SHM_NAME_MAX]) are resolved by
            // the compiler: sizeof(field) / sizeof(element) is checked through the size instead.
            return list.Select(s => (s.Item1, s.Item2.Select(f => (f.Item1, f.Item2, f.Item3 >= 0 ? f.Item3 : ResolveLength(text, s.Item1, f.Item1))).ToList())).ToList();
        }

        private static int ResolveLength(string text, string structName, string field)
        {
            var m = Regex.Match(text, $@"\b{field}\s*\[\s*(\w+)\s*\]");
            var define = Regex.Match(text, $@"#\s*define\s+{m.Groups[1].Value}\s+(\d+)u?\b");
            return define.Success
                ? int.Parse(define.Groups[1].Value, CultureInfo.InvariantCulture)
                : throw new InvalidDataException($"struct {structName}: array length of {field} is not a number or a define");
        }

        private static List<(string Name, List<string> Members)> ParseEnums(string text)
        {
            var list = new List<(string, List<string>)>();
            foreach (Match m in EnumRegex().Matches(text))
            {
                var members = new List<string>();
                foreach (var decl in m.Groups[2].Value.Split(',').Select(d => d.Trim()).Where(d => d.Length > 0))
                {
                    var e = EnumMemberRegex().Match(decl);
                    if (!e.Success)
                    {
                        throw new InvalidDataException($"enum {m.Groups[1].Value}: cannot parse member '{decl}'");
                    }

                    members.Add(e.Groups[1].Value);
                }

                list.Add((m.Groups[1].Value, members));
            }

            return list;
        }

        private static string Run(string file, string[] args)
        {
            var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }

            using var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(60_000))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{file} did not finish in 60 s");
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {stderr.Result}");
            }

            return stdout.Result;
        }

        [GeneratedRegex(@"/\*.*?\*/", RegexOptions.Singleline)]
        private static partial Regex BlockCommentRegex();

        [GeneratedRegex(@"//[^\n]*")]
        private static partial Regex LineCommentRegex();

        [GeneratedRegex(@"^\s*#\s*define\s+(OFS_[A-Z0-9_]+)\s+\S", RegexOptions.Multiline)]
        private static partial Regex DefineRegex();

        [GeneratedRegex(@"struct\s+(ofs_\w+)\s*\{([^}]*)\}\s*;")]
        private static partial Regex StructRegex();

        [GeneratedRegex(@"^(\w+)\s+(\w+)\s*(?:\[\s*(\w+)\s*\])?$")]
        private static partial Regex FieldRegex();

        [GeneratedRegex(@"enum\s+(ofs_\w+)\s*\{([^}]*)\}\s*;")]
        private static partial Regex EnumRegex();

        [GeneratedRegex(@"^(OFS_\w+)\s*(?:=\s*\w+)?$")]
        private static partial Regex EnumMemberRegex();
    }
}
