using System.Text.Json;

namespace ObsFaceSwap.Testing.Scenario;

/// <summary>
/// Reads counters out of statistics JSON whatever its nesting (per channel, per filter): by
/// property name, anywhere in the tree.
/// </summary>
public static class JsonCounters
{
    /// <summary>Every numeric value of a property with this name, depth first.</summary>
    /// <param name="root">The JSON.</param>
    /// <param name="name">The property name (exact).</param>
    /// <returns>The values.</returns>
    public static IReadOnlyList<double> All(JsonElement root, string name)
    {
        var values = new List<double>();
        Collect(root, name, values);
        return values;
    }

    /// <summary>The sum of every numeric property with this name (0 when there is none).</summary>
    /// <param name="root">The JSON.</param>
    /// <param name="name">The property name.</param>
    /// <returns>The sum.</returns>
    public static double Sum(JsonElement root, string name) => All(root, name).Sum();

    /// <summary>Whether some numeric property with this name exists.</summary>
    /// <param name="root">The JSON.</param>
    /// <param name="name">The property name.</param>
    /// <returns>True if found.</returns>
    public static bool Has(JsonElement root, string name) => All(root, name).Count > 0;

    private static void Collect(JsonElement element, string name, List<double> values)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (property.NameEquals(name) && property.Value.ValueKind == JsonValueKind.Number)
                    {
                        values.Add(property.Value.GetDouble());
                    }
                    else
                    {
                        Collect(property.Value, name, values);
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Collect(item, name, values);
                }

                break;
            default:
                break;
        }
    }
}
