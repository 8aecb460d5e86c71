namespace Gatehouse.Infrastructure;

public sealed record Page<T>(IReadOnlyList<T> Items, int PageNumber, int PageSize, int Total);

public readonly record struct Paging(int Number, int Size)
{
    public const int DefaultSize = 50;
    public const int MaxSize = 500;

    public int Skip => (Number - 1) * Size;

    public static Paging? From(int? page, int? pageSize, ICollection<string> errors)
    {
        var number = page ?? 1;
        var size = pageSize ?? DefaultSize;
        if (number < 1)
        {
            errors.Add("'page' starts at 1.");
        }
        if (size is < 1 or > MaxSize)
        {
            errors.Add($"'pageSize' must be between 1 and {MaxSize}.");
        }
        return number >= 1 && size is >= 1 and <= MaxSize ? new Paging(number, size) : null;
    }
}
