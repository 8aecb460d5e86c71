using Microsoft.Data.Sqlite;
using Npgsql;

namespace Gatehouse.Storage;

/// <summary>A unique index (or primary key) refused a row: the table it belongs to, when the database says.</summary>
public sealed record UniqueViolation(string? Table);

public static class DatabaseErrors
{
    private const int SqliteConstraintUnique = 2067;     // SQLITE_CONSTRAINT_UNIQUE
    private const int SqliteConstraintPrimaryKey = 1555; // SQLITE_CONSTRAINT_PRIMARYKEY
    private const string SqliteUniqueMessage = "UNIQUE constraint failed: ";

    /// <summary>
    /// A unique index or primary key refused the row (SQLite's SQLITE_CONSTRAINT_UNIQUE or _PRIMARYKEY,
    /// PostgreSQL's 23505), raised directly or wrapped (EF Core's <c>DbUpdateException</c>). Other
    /// constraints (NOT NULL, FOREIGN KEY, CHECK) are not: they are errors, not conflicts.
    /// </summary>
    public static bool IsUniqueViolation(Exception exception) => FindUniqueViolation(exception) is not null;

    /// <summary>Text the database cannot store or compare: PostgreSQL refuses NUL characters (22021) and untranslatable ones (22P05).</summary>
    public static bool IsUnstorableText(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is PostgresException { SqlState: PostgresErrorCodes.CharacterNotInRepertoire or PostgresErrorCodes.UntranslatableCharacter })
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The unique violation in <paramref name="exception"/> or its inner exceptions; null when it is none.</summary>
    public static UniqueViolation? FindUniqueViolation(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case SqliteException { SqliteExtendedErrorCode: SqliteConstraintUnique or SqliteConstraintPrimaryKey } sqlite:
                    return new UniqueViolation(SqliteTable(sqlite.Message));
                case PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } postgres:
                    return new UniqueViolation(postgres.TableName);
            }
        }
        return null;
    }

    /// <summary>SQLite names the columns only in its message: <c>UNIQUE constraint failed: Sites.NormalizedName</c>.</summary>
    private static string? SqliteTable(string message)
    {
        var start = message.IndexOf(SqliteUniqueMessage, StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }
        start += SqliteUniqueMessage.Length;
        var dot = message.IndexOf('.', start);
        return dot > start ? message[start..dot] : null;
    }
}
