using Gatehouse.Features.Integrations;
using Gatehouse.Features.Sites;

namespace Gatehouse.Features.Console.Pages;

/// <summary>The dialog that adds an integration's connection for a site (<see cref="Connection"/> null) or edits one; the secret is write-only.</summary>
public sealed record ConnectionDialogView(string Integration, string Id, ConnectionView? Connection, IReadOnlyList<SiteView> Sites)
{
    public string Url => $"/api/integrations/{Uri.EscapeDataString(Integration)}/connections/" + (Connection is null ? "{site}" : Uri.EscapeDataString(Connection.Site));

    public string Auth => (Connection?.Auth ?? Storage.ConnectionAuth.None).ToString();
}
