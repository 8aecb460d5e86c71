using System.Net;
using System.Text;
using Gatehouse.Tests.Infrastructure;
using Npgsql;

namespace Gatehouse.Tests.Keys;

/// <summary>No key value, password or session token in the database or in any log line.</summary>
public abstract class SecretsAtRestTests(Provider provider)
{
    [Fact]
    public async Task Key_values_passwords_and_tokens_are_never_stored_or_logged_in_clear()
    {
        var store = await GatehouseStore.CreateOrSkipAsync(provider);
        var secrets = new List<string> { GatehouseFactory.AdminPassword };
        IEnumerable<string> logs;
        string integration;
        await using (var factory = new GatehouseFactory(store))
        {
            var admin = await factory.AdminAsync();
            secrets.Add(admin.Http.DefaultRequestHeaders.Authorization!.Parameter!);
            var (_, analyst) = await admin.CreateUserAsync(factory, "Analyst", GatehouseClient.DefaultSite);
            secrets.Add("user-password-for-tests");
            secrets.Add(analyst.Http.DefaultRequestHeaders.Authorization!.Parameter!);
            integration = await admin.CreateIntegrationAsync();
            for (var i = 0; i < 3; i++)
            {
                var key = await admin.CreateKeyAsync(integration);
                secrets.Add(key.Value);
                await admin.SendAndWaitAsync(integration, GatehouseClient.DefaultSite, new { i }, key.Value);
                await admin.PostAsync($"/api/keys/{key.Id}/regenerate", new { graceSeconds = 60 }, HttpStatusCode.OK);
                var regenerated = (await admin.GetAsync($"/api/keys/{key.Id}/secret"))["headerValue"]!.GetValue<string>();
                secrets.Add(regenerated);
                await admin.SendAsync(integration, "No Such Site", new { i }, regenerated);
                await admin.SendAsync(integration, await admin.CreateSiteAsync(), new { i }, key.Value);
            }
            var forged = "ghk_" + Guid.NewGuid().ToString("N");
            secrets.Add(forged);
            await admin.SendAsync(integration, GatehouseClient.DefaultSite, new { x = 1 }, forged);
            await admin.AuditAsync("?pageSize=500");
            logs = factory.Logs.ToList();
        }

        var stored = await StoredTextAsync(store);
        // The scans do read the data: what is not secret is found.
        Assert.Contains(integration, stored);
        Assert.Contains(logs, line => line.Contains("Webhook authentication failed: UnknownKey", StringComparison.Ordinal));
        foreach (var secret in secrets)
        {
            Assert.False(stored.Contains(secret, StringComparison.Ordinal), $"a secret ({secret[..6]}…) is stored in clear");
            Assert.DoesNotContain(logs, line => line.Contains(secret, StringComparison.Ordinal));
        }
    }

    /// <summary>SQLite: every byte of every file in the data directory. PostgreSQL: every row of every table, as JSON text.</summary>
    private static async Task<string> StoredTextAsync(GatehouseStore store)
    {
        var text = new StringBuilder();
        foreach (var file in Directory.EnumerateFiles(store.DataDirectory, "*", SearchOption.AllDirectories))
        {
            text.Append(Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file)));
        }
        if (store.Provider == Provider.Postgres)
        {
            await using var connection = new NpgsqlConnection(store.ConnectionString);
            await connection.OpenAsync();
            var tables = new List<string>();
            await using (var list = new NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'", connection))
            await using (var reader = await list.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    tables.Add(reader.GetString(0));
                }
            }
            Assert.Contains("WebhookKeys", tables);
            foreach (var table in tables)
            {
                await using var rows = new NpgsqlCommand($"SELECT row_to_json(t)::text FROM \"{table}\" t", connection);
                await using var reader = await rows.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    text.Append(reader.GetString(0));
                }
            }
        }
        else
        {
            Assert.True(File.Exists(Path.Combine(store.DataDirectory, "gatehouse.db")));
        }
        return text.ToString();
    }
}

public sealed class SecretsAtRestTestsOnSqlite() : SecretsAtRestTests(Provider.Sqlite);

public sealed class SecretsAtRestTestsOnPostgres() : SecretsAtRestTests(Provider.Postgres);
