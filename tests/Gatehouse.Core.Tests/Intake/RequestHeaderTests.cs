using Gatehouse.Core.Intake;

namespace Gatehouse.Core.Tests.Intake;

public class RequestHeaderTests
{
    [Theory]
    [InlineData("application/json", true)]
    [InlineData("application/json; charset=utf-8", true)]
    [InlineData("Application/JSON; charset=\"UTF-8\"", true)]
    [InlineData("application/problem+json", true)]
    [InlineData("text/json", true)]
    [InlineData("application/json; charset=iso-8859-1", false)]
    [InlineData("application/x-www-form-urlencoded", false)]
    [InlineData("text/plain", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Only_utf8_json_content_types_are_json(string? contentType, bool expected) =>
        Assert.Equal(expected, ContentTypes.IsJson(contentType));

    [Theory]
    [InlineData("5", null, 5.0)]
    [InlineData("0.5", null, 0.5)]
    [InlineData(null, "wait=3", 3.0)]
    [InlineData(null, "respond-async, wait=7", 7.0)]
    [InlineData("120", null, 60.0)]
    [InlineData("2", "wait=9", 2.0)]
    public void Wait_comes_from_the_query_or_the_prefer_header_and_is_clamped(string? query, string? prefer, double seconds)
    {
        var wait = WaitPreference.Parse(query, prefer, 60, out var error);

        Assert.Null(error);
        Assert.Equal(TimeSpan.FromSeconds(seconds), wait);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("-1")]
    [InlineData("NaN")]
    public void A_wait_that_is_not_a_number_is_an_error(string query)
    {
        Assert.Null(WaitPreference.Parse(query, null, 60, out var error));
        Assert.NotNull(error);
    }

    [Fact]
    public void No_wait_asked_is_null()
    {
        Assert.Null(WaitPreference.Parse(null, "respond-async", 60, out var error));
        Assert.Null(error);
    }
}
