using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Gatehouse.Infrastructure;
using Gatehouse.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Gatehouse.Tests.Admin;

/// <summary>
/// Regression: the limits on nested sections (Gatehouse:Intake, Gatehouse:Sandbox, …) were checked by a
/// hand-written one-level loop that named the section, not the option. Every section is validated at
/// start, and a failure names the option by the key the operator set.
/// </summary>
public class OptionValidationTests
{
    [Theory]
    [InlineData("Gatehouse:Intake:MaxAttempts", "0")]
    [InlineData("Gatehouse:Intake:MaxCommitBatch", "0")]
    [InlineData("Gatehouse:Intake:MaxJsonDepth", "100000")]
    [InlineData("Gatehouse:Intake:LeaseSeconds", "-1")]
    [InlineData("Gatehouse:Webhooks:RateLimitPerSecond", "0")]
    [InlineData("Gatehouse:Webhooks:ApiKeyHeader", "d3 key")]
    [InlineData("Gatehouse:Auth:TokenLifetimeMinutes", "-5")]
    [InlineData("Gatehouse:Cluster:RefreshMilliseconds", "1")]
    [InlineData("Gatehouse:Outbound:TimeoutSeconds", "-1")]
    [InlineData("Gatehouse:Playbooks:LeaseSeconds", "0")]
    [InlineData("Gatehouse:Sandbox:FormatterTimeoutSeconds", "-1")]
    [InlineData("Gatehouse:Sandbox:Processes", "0")]
    [InlineData("Gatehouse:Database:Provider", "Oracle")]
    public void An_out_of_range_option_in_any_section_stops_the_start_naming_the_option(string option, string value)
    {
        var error = StartFails(new() { [option] = value });

        Assert.Contains(option, error.Message);
    }

    [Theory]
    [InlineData("Gatehouse:Webhooks:JwtHeader", "D3KEY", "Gatehouse:Webhooks:ApiKeyHeader and Gatehouse:Webhooks:JwtHeader")]
    [InlineData("Gatehouse:PublicBaseUrl", "soar.example.com", "Gatehouse:PublicBaseUrl must be an absolute http or https URL")]
    [InlineData("Gatehouse:Webhooks:TrustedProxies:0", "10.0.0.1/8", "Gatehouse:Webhooks:TrustedProxies")]
    public void Options_that_contradict_each_other_stop_the_start(string option, string value, string message)
    {
        var error = StartFails(new() { [option] = value });

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Every_failure_is_reported_at_once()
    {
        var error = StartFails(new() { ["Gatehouse:Intake:MaxAttempts"] = "0", ["Gatehouse:Sandbox:Processes"] = "0" });

        Assert.Contains("Gatehouse:Intake:MaxAttempts", error.Message);
        Assert.Contains("Gatehouse:Sandbox:Processes", error.Message);
    }

    [Fact]
    public async Task The_defaults_are_valid_and_start()
    {
        Assert.True(new GatehouseOptionsValidation().Validate(Options.DefaultName, new GatehouseOptions()).Succeeded);

        await using var factory = new GatehouseFactory(new GatehouseStore(Provider.Sqlite, TempFolder.Create(), null));
        var ready = await factory.CreateClient().GetAsync("/health/ready");

        Assert.True(ready.IsSuccessStatusCode);
    }

    [Fact]
    public void Every_section_with_limits_is_validated()
    {
        var sections = typeof(GatehouseOptions).GetProperties().Where(p => p.PropertyType.Namespace == typeof(GatehouseOptions).Namespace && p.PropertyType.IsClass);
        var limited = sections.Where(p => p.PropertyType.GetProperties().Any(o => o.GetCustomAttributes<ValidationAttribute>().Any()));

        Assert.All(limited, section => Assert.True(section.IsDefined(typeof(ValidateObjectMembersAttribute)),
            $"Gatehouse:{section.Name} has limits but is not marked [ValidateObjectMembers], so they are never checked."));
        Assert.NotEmpty(limited);
    }

    private static OptionsValidationException StartFails(Dictionary<string, string?> settings)
    {
        using var factory = new GatehouseFactory(new GatehouseStore(Provider.Sqlite, TempFolder.Create(), null), settings);

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        return Assert.IsType<OptionsValidationException>(error is AggregateException { InnerExceptions: [var inner] } ? inner : error);
    }
}
