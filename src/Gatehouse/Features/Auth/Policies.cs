using Gatehouse.Storage;
using Microsoft.AspNetCore.Authorization;

namespace Gatehouse.Features.Auth;

public static class Policies
{
    public const string Administrator = nameof(Administrator);

    public static void AddGatehousePolicies(this AuthorizationBuilder builder) =>
        builder.AddPolicy(Administrator, policy => policy.RequireRole(nameof(UserRole.Administrator)));
}
