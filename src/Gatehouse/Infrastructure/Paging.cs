namespace Gatehouse.Infrastructure;

public sealed record Page<T>(IReadOnlyList<T> Items, int PageNumber, int PageSize, int Total);

public readonly record struct Paging(int Number, int Size)
{
    public const int DefaultSize = 50;
    public const int MaxSize = 500;
    public const int MaxNumber = 1_000_000;

    public int Skip => (Number - 1) * Size;

    public static Paging? From(int? page, int? pageSize, ICollection<string> errors)
    {
        var number = page ?? 1;
        var size = pageSize ?? DefaultSize;
        if (number is < 1 or > MaxNumber)
        {
            errors.Add($"'page' must be from 1 to {MaxNumber}.");
        }
        if (size is < 1 or > MaxSize)
        {
            errors.Add($"'pageSize' must be between 1 and {MaxSize}.");
        }
        return number is >= 1 and <= MaxNumber && size is >= 1 and <= MaxSize ? new Paging(number, size) : null;
    }
}
