using Microsoft.AspNetCore.Http.HttpResults;

namespace Gatehouse.Features.Console;

/// <summary>
/// Console pages call the admin API's own handlers in-process, so what a page shows is exactly
/// what the API would answer this user: the same site access, the same filters, the same errors.
/// </summary>
public static class ApiCall
{
    public static T? Value<T>(IResult result) where T : class => result switch
    {
        IValueHttpResult<T> value => value.Value,
        INestedHttpResult nested => Value<T>(nested.Result),
        _ => null,
    };

    /// <summary>The problem's message when the handler refused, else null.</summary>
    public static string? Problem(IResult result) => result switch
    {
        ProblemHttpResult problem => problem.ProblemDetails.Detail,
        INestedHttpResult nested => Problem(nested.Result),
        _ => null,
    };
}
