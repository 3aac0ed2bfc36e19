using CanvasSync.Hosting;
using Microsoft.Extensions.Configuration;

namespace CanvasSync.Tests.Hosting;

/// <summary>
/// The appsettings.json that ships beside canvas-sync sets nothing but the defaults the code and docs/cli.md state:
/// an operator reading the documented default must be reading what runs.
/// </summary>
public sealed class ShippedSettingsTests
{
    [Fact]
    public void Shipped_settings_are_the_documented_defaults()
    {
        var shipped = new ConfigurationBuilder().AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json")).Build();
        var sections = new (string Name, object Defaults)[]
        {
            (DatabaseOptions.Section, new DatabaseOptions()),
            (CanvasOptions.Section, new CanvasOptions()),
            (SyncOptions.Section, new SyncOptions()),
            (SecurityOptions.Section, new SecurityOptions()),
        };
        var checkedKeys = 0;
        foreach (var (name, defaults) in sections)
        {
            var bound = Activator.CreateInstance(defaults.GetType())!;
            shipped.GetSection(name).Bind(bound);
            foreach (var key in shipped.GetSection(name).GetChildren())
            {
                var property = defaults.GetType().GetProperty(key.Key);
                Assert.True(property is not null, $"{name}:{key.Key} is shipped but is no setting");
                Assert.Equal(System.Text.Json.JsonSerializer.Serialize(property.GetValue(defaults)),
                    System.Text.Json.JsonSerializer.Serialize(property.GetValue(bound)));
                checkedKeys++;
            }
        }

        Assert.True(checkedKeys >= 10, $"only {checkedKeys} shipped settings were compared");
    }
}
