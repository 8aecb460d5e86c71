namespace Gatehouse.Features.Console.Pages;

public sealed record PagerView(int Number, int Size, int Total)
{
    public int Pages => Math.Max(1, (Total + Size - 1) / Size);
}
