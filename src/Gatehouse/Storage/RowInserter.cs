using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Gatehouse.Storage;

public static class RowInserts
{
    /// <summary>Runs <paramref name="insert"/> in one transaction on a pooled context's connection, and commits.</summary>
    public static async Task InTransactionAsync(IServiceScopeFactory scopes, Func<GatehouseDb, DbConnection, DbTransaction, Task> insert)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatehouseDb>();
        await db.Database.OpenConnectionAsync(CancellationToken.None);
        try
        {
            var connection = db.Database.GetDbConnection();
            await using var transaction = await connection.BeginTransactionAsync(CancellationToken.None);
            await insert(db, connection, transaction);
            await transaction.CommitAsync(CancellationToken.None);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}

/// <summary>
/// Inserts rows of one entity type (leaving database-generated keys to the database) with one prepared command, reusing it for every row — what the
/// intake hot path needs instead of the change tracker. Table, columns, types and value converters
/// come from the EF Core model, so it writes exactly what EF Core would, on either provider.
/// </summary>
public sealed class RowInserter<T> where T : class
{
    private readonly (IProperty Property, ValueConverter? Converter, string Parameter)[] _columns;
    private readonly string _sql;
    private readonly IProperty? _generatedKey;
    private readonly string? _returningSql;

    public RowInserter(GatehouseDb db)
    {
        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model");
        var sql = db.GetService<ISqlGenerationHelper>();
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        _columns = entity.GetProperties()
            .Where(p => p.ValueGenerated == ValueGenerated.Never)
            .Select((p, i) => (p, p.GetTypeMapping().Converter, $"@p{i}"))
            .ToArray();
        var names = string.Join(", ", _columns.Select(c => sql.DelimitIdentifier(c.Property.GetColumnName(table)!)));
        _sql = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ({names}) VALUES ({string.Join(", ", _columns.Select(c => c.Parameter))})";
        if (entity.FindPrimaryKey()?.Properties is [{ ValueGenerated: not ValueGenerated.Never } key])
        {
            _generatedKey = key;
            _returningSql = $"{_sql} RETURNING {sql.DelimitIdentifier(key.GetColumnName(table)!)}";
        }
    }

    /// <summary>Inserts the rows in the connection's current transaction and sets each one's database-generated key (RETURNING, on either provider).</summary>
    public Task InsertReturningKeysAsync(DbConnection connection, DbTransaction transaction, IEnumerable<T> rows, CancellationToken cancellationToken)
    {
        var key = _generatedKey ?? throw new InvalidOperationException($"{typeof(T).Name} has no database-generated key");
        return ExecuteAsync(connection, transaction, _returningSql!, rows, async (command, row) =>
        {
            var value = await command.ExecuteScalarAsync(cancellationToken);
            key.PropertyInfo!.SetValue(row, Convert.ChangeType(value, key.ClrType, System.Globalization.CultureInfo.InvariantCulture));
        });
    }

    /// <summary>Inserts the rows in the connection's current transaction.</summary>
    public Task InsertAsync(DbConnection connection, DbTransaction transaction, IEnumerable<T> rows, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction, _sql, rows, (command, _) => command.ExecuteNonQueryAsync(cancellationToken));

    private async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, IEnumerable<T> rows, Func<DbCommand, T, Task> execute)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        var parameters = ModelColumns.AddParameters(command, _columns);
        foreach (var row in rows)
        {
            ModelColumns.Bind(parameters, _columns, i => _columns[i].Property.GetGetter().GetClrValue(row));
            await execute(command, row);
        }
    }
}

/// <summary>
/// One prepared UPDATE of chosen columns of one entity type, by chosen key columns, reused per row
/// (columns, types and value converters from the EF Core model, as <see cref="RowInserter{T}"/>).
/// </summary>
public sealed class RowUpdater<T> where T : class
{
    private readonly (IProperty Property, ValueConverter? Converter, string Parameter)[] _set;
    private readonly (IProperty Property, ValueConverter? Converter, string Parameter)[] _where;
    private readonly string _sql;

    public RowUpdater(GatehouseDb db, IReadOnlyList<string> set, IReadOnlyList<string> where)
    {
        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model");
        var sql = db.GetService<ISqlGenerationHelper>();
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        (IProperty, ValueConverter?, string)[] Columns(IEnumerable<string> names, string prefix) =>
            names.Select((name, i) => entity.FindProperty(name) ?? throw new InvalidOperationException($"{typeof(T).Name} has no property {name}"))
                .Select((p, i) => (p, p.GetTypeMapping().Converter, $"@{prefix}{i}")).ToArray();
        _set = Columns(set, "s");
        _where = Columns(where, "w");
        string Assign((IProperty Property, ValueConverter?, string Parameter) c) => $"{sql.DelimitIdentifier(c.Property.GetColumnName(table)!)} = {c.Parameter}";
        _sql = $"UPDATE {sql.DelimitIdentifier(table.Name, table.Schema)} SET {string.Join(", ", _set.Select(Assign))} WHERE {string.Join(" AND ", _where.Select(Assign))}";
    }

    /// <summary>Updates each row (its set values, found by its where values) in the connection's current transaction; the rows changed per row.</summary>
    public async Task<List<int>> UpdateAsync(DbConnection connection, DbTransaction transaction, IEnumerable<(object?[] Set, object?[] Where)> rows, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = _sql;
        var columns = _set.Concat(_where).ToArray();
        var parameters = ModelColumns.AddParameters(command, columns);
        var changed = new List<int>();
        foreach (var (set, where) in rows)
        {
            var values = set.Concat(where).ToArray();
            ModelColumns.Bind(parameters, columns, i => values[i]);
            changed.Add(await command.ExecuteNonQueryAsync(cancellationToken));
        }
        return changed;
    }
}

/// <summary>Command parameters for model columns, and their values as the provider stores them (through each column's value converter).</summary>
internal static class ModelColumns
{
    public static DbParameter[] AddParameters(DbCommand command, (IProperty Property, ValueConverter? Converter, string Parameter)[] columns) =>
        columns.Select(c =>
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = c.Parameter;
            command.Parameters.Add(parameter);
            return parameter;
        }).ToArray();

    public static void Bind(DbParameter[] parameters, (IProperty Property, ValueConverter? Converter, string Parameter)[] columns, Func<int, object?> valueOf)
    {
        for (var i = 0; i < columns.Length; i++)
        {
            var value = valueOf(i);
            if (value is not null && columns[i].Converter is { } converter)
            {
                value = converter.ConvertToProvider(value);
            }
            parameters[i].Value = value ?? DBNull.Value;
        }
    }
}
