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
    }

    /// <summary>Inserts the rows in the connection's current transaction.</summary>
    public async Task InsertAsync(DbConnection connection, DbTransaction transaction, IEnumerable<T> rows, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = _sql;
        var parameters = _columns.Select(c =>
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = c.Parameter;
            command.Parameters.Add(parameter);
            return parameter;
        }).ToArray();
        foreach (var row in rows)
        {
            for (var i = 0; i < _columns.Length; i++)
            {
                var value = _columns[i].Property.GetGetter().GetClrValue(row);
                if (value is not null && _columns[i].Converter is { } converter)
                {
                    value = converter.ConvertToProvider(value);
                }
                parameters[i].Value = value ?? DBNull.Value;
            }
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
