using System.Text.Json.Nodes;
using Gatehouse.Core.Incidents;
using Gatehouse.Features.Audit;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gatehouse.Features.Incidents;

/// <summary>Who changes an incident: the signed-in user, or a remote command's or playbook's acting user (and the key it came through).</summary>
public sealed record IncidentActor(int? UserId, string Username, int? KeyId = null);

/// <summary>Another change to the incident was saved at the same moment: this one was not, and can be made again on the new state.</summary>
public sealed class IncidentConflictException(string number)
    : Exception($"Incident {number} was changed by another request at the same moment; nothing was saved. Reload it and try again.");

/// <summary>
/// Every change to an incident — edit, close, reopen, link, unlink — for the admin API and the
/// utility commands alike: the pure planner decides, this writes the row, its history entry and
/// its audit row in one transaction. Links stay within the incident's site.
/// </summary>
public sealed class IncidentLifecycle(GatehouseDb db, AuditLog audit, TimeProvider time, IOptions<GatehouseOptions> options)
{
    public const int MaxLinksPerCall = 500;

    /// <summary>Ids per query: SQLite takes at most 32,766 parameters in one statement.</summary>
    public const int QueryChunk = 1000;

    public IncidentVocabulary Vocabulary => options.Value.Incidents.Vocabulary();

    /// <summary>The incident, tracked, when it is on one of <paramref name="sites"/>.</summary>
    public Task<Incident?> FindAsync(long id, IReadOnlyCollection<int> sites, CancellationToken cancellationToken) =>
        db.Incidents.Include(i => i.Site).Include(i => i.Events).FirstOrDefaultAsync(i => i.Id == id && sites.Contains(i.SiteId), cancellationToken);

    public async Task<IncidentRecord> RecordAsync(Incident incident, CancellationToken cancellationToken)
    {
        var linked = await LinkedAsync([incident.Id], cancellationToken);
        return IncidentWire.Record(incident, linked.GetValueOrDefault(incident.Id, []));
    }

    /// <summary>The numbers of each incident's linked incidents, by incident id.</summary>
    public async Task<Dictionary<long, List<string>>> LinkedAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken)
    {
        var linked = new Dictionary<long, List<string>>();
        foreach (var chunk in ids.Chunk(QueryChunk))
        {
            var rows = await db.IncidentLinks.AsNoTracking().Where(l => chunk.Contains(l.IncidentId))
                .Join(db.Incidents, l => l.LinkedIncidentId, i => i.Id, (l, i) => new { l.IncidentId, i.Id, i.CreatedAt }).ToListAsync(cancellationToken);
            foreach (var row in rows)
            {
                (linked.TryGetValue(row.IncidentId, out var numbers) ? numbers : linked[row.IncidentId] = []).Add(IncidentNumbers.Format(row.Id, row.CreatedAt));
            }
        }
        return linked;
    }

    /// <summary>The incident a number names, tracked, when it is on one of <paramref name="sites"/>.</summary>
    public async Task<Incident?> FindAsync((long Id, string? Number) number, IReadOnlyCollection<int> sites, CancellationToken cancellationToken) =>
        await FindAsync(number.Id, sites, cancellationToken) is { } found && IncidentNumbers.Names(number, found.Id, found.CreatedAt) ? found : null;

    public async Task<IReadOnlyList<string>> EditAsync(Incident incident, JsonObject edit, IncidentNaming naming, IncidentActor actor, CancellationToken cancellationToken)
    {
        var current = await RecordAsync(incident, cancellationToken);
        var (changes, errors) = IncidentEdits.Edit(current, edit, naming, Vocabulary);
        if (errors.Count > 0)
        {
            return errors;
        }
        var resolved = await ResolveUsersAsync(changes, incident.SiteId, naming, cancellationToken);
        if (resolved.Errors.Count > 0)
        {
            return resolved.Errors;
        }
        await SaveAsync(incident, resolved.Changes, "edited", AuditActions.IncidentUpdated, actor, cancellationToken);
        return [];
    }

    public async Task<IReadOnlyList<string>> CloseAsync(Incident incident, JsonNode? conclusion, JsonNode? disposition, IncidentNaming naming, IncidentActor actor, CancellationToken cancellationToken)
    {
        var current = await RecordAsync(incident, cancellationToken);
        var (changes, errors) = IncidentEdits.Close(current, conclusion, disposition, actor.Username, time.GetUtcNow(), Vocabulary, naming);
        if (errors.Count > 0)
        {
            return errors;
        }
        await SaveAsync(incident, changes, "closed", AuditActions.IncidentClosed, actor, cancellationToken);
        return [];
    }

    /// <summary>Links (or unlinks) incidents and events of the incident's site; what is already so is left as it is.</summary>
    public async Task<IReadOnlyList<string>> LinkAsync(Incident incident, IReadOnlyCollection<(long Id, string? Number)> numbers, IReadOnlyCollection<long> events, bool link, IncidentActor actor, CancellationToken cancellationToken)
    {
        var incidents = numbers.Select(n => n.Id).Distinct().ToList();
        if (incidents.Count + events.Count == 0)
        {
            return [$"Name at least one incident or event to {(link ? "link" : "unlink")}."];
        }
        if (incidents.Count + events.Count > MaxLinksPerCall)
        {
            return [$"At most {MaxLinksPerCall} incidents and events at once."];
        }
        var errors = new List<string>();
        if (incidents.Contains(incident.Id))
        {
            errors.Add($"An incident cannot be linked to itself ({incident.Number}).");
        }
        var candidates = await db.Incidents.AsNoTracking().Where(i => incidents.Contains(i.Id) && i.SiteId == incident.SiteId)
            .Select(i => new { i.Id, i.CreatedAt }).ToDictionaryAsync(i => i.Id, i => i.CreatedAt, cancellationToken);
        var missing = numbers.Where(n => n.Id != incident.Id && !(candidates.TryGetValue(n.Id, out var created) && IncidentNumbers.Names(n, n.Id, created))).ToList();
        errors.AddRange(missing.Select(n => $"There is no incident {n.Number ?? n.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)} on the site '{incident.Site!.Name}'."));
        var others = candidates.Keys.Where(id => id != incident.Id).ToList();
        var numberOf = candidates.ToDictionary(c => c.Key, c => IncidentNumbers.Format(c.Key, c.Value));
        var foundEvents = await db.Events.AsNoTracking().Where(e => events.Contains(e.Id) && e.SiteId == incident.SiteId).Select(e => e.Id).ToListAsync(cancellationToken);
        errors.AddRange(events.Except(foundEvents).Select(id => $"There is no event {id} on the site '{incident.Site!.Name}'."));
        if (errors.Count > 0)
        {
            return errors;
        }
        var now = time.GetUtcNow();
        var existingLinks = await db.IncidentLinks.Where(l => l.IncidentId == incident.Id && others.Contains(l.LinkedIncidentId)).ToListAsync(cancellationToken);
        var changedIncidents = link ? others.Except(existingLinks.Select(l => l.LinkedIncidentId)).ToList() : existingLinks.Select(l => l.LinkedIncidentId).ToList();
        if (link)
        {
            foreach (var other in changedIncidents)
            {
                db.IncidentLinks.Add(new IncidentLink { IncidentId = incident.Id, LinkedIncidentId = other, CreatedAt = now });
                db.IncidentLinks.Add(new IncidentLink { IncidentId = other, LinkedIncidentId = incident.Id, CreatedAt = now });
            }
        }
        else
        {
            db.IncidentLinks.RemoveRange(existingLinks);
            db.IncidentLinks.RemoveRange(await db.IncidentLinks.Where(l => changedIncidents.Contains(l.IncidentId) && l.LinkedIncidentId == incident.Id).ToListAsync(cancellationToken));
        }
        var linkedEvents = incident.Events.Select(e => e.EventId).ToHashSet();
        var changedEvents = link ? foundEvents.Where(id => !linkedEvents.Contains(id)).ToList() : foundEvents.Where(linkedEvents.Contains).ToList();
        if (link)
        {
            incident.Events.AddRange(changedEvents.Select(id => new IncidentEvent { IncidentId = incident.Id, EventId = id }));
        }
        else
        {
            incident.Events.RemoveAll(e => changedEvents.Contains(e.EventId));
        }
        if (changedIncidents.Count + changedEvents.Count == 0)
        {
            return [];
        }
        var detail = new JsonObject
        {
            ["incidents"] = new JsonArray(changedIncidents.Order().Select(id => (JsonNode)numberOf[id]).ToArray()),
            ["events"] = new JsonArray(changedEvents.Order().Select(id => (JsonNode)id).ToArray()),
        };
        incident.ModifiedAt = now;
        incident.Version++;
        var action = link ? "linked" : "unlinked";
        History(incident.Id, action, detail, actor, now);
        foreach (var other in changedIncidents)
        {
            History(other, action, new JsonObject { ["incidents"] = new JsonArray(incident.Number), ["events"] = new JsonArray() }, actor, now);
        }
        audit.RecordAs(link ? AuditActions.IncidentLinked : AuditActions.IncidentUnlinked, actor.UserId, actor.Username, incident.Number, detail, actor.KeyId);
        await SaveOrConflictAsync(incident, cancellationToken);
        return [];
    }

    /// <summary>The incident's history, oldest first.</summary>
    public async Task<List<IncidentHistoryView>> HistoryAsync(long incidentId, CancellationToken cancellationToken) =>
        (await db.IncidentHistory.AsNoTracking().Where(h => h.IncidentId == incidentId).OrderBy(h => h.Id).ToListAsync(cancellationToken))
            .Select(h => new IncidentHistoryView(h.At, h.Actor, h.Action, GatehouseJson.ParseStored(h.ChangesJson))).ToList();

    /// <summary>
    /// A new incident on <paramref name="siteId"/> from its fields (as an edit of a blank incident would set them;
    /// the type is required, the title defaults to it), added with its first history entry and audit row to the
    /// caller's unit of work: the caller saves.
    /// </summary>
    public async Task<(Incident? Incident, IReadOnlyList<string> Errors)> AddAsync(
        int siteId, JsonObject fields, IncidentNaming naming, IncidentActor actor, string via, JsonNode? raw, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var incident = new Incident
        {
            SiteId = siteId,
            IncidentType = "",
            Title = "",
            Severity = "Medium",
            Status = Vocabulary.InitialStatus,
            Creator = actor.Username,
            Owner = actor.Username,
            CreatedAt = now,
            ModifiedAt = now,
            RawJson = raw?.ToJsonString(),
        };
        var typeName = naming == IncidentNaming.Wire ? IncidentModel.Type.WireName : IncidentModel.Type.ApiName;
        var given = (JsonObject)fields.DeepClone();
        var type = given.FirstOrDefault(p => (naming == IncidentNaming.Wire ? IncidentModel.ByWireName(p.Key) : IncidentModel.ByApiName(p.Key)) == IncidentModel.Type).Value;
        if (type is not JsonValue)
        {
            return (null, [$"'{typeName}' is required: the kind of incident, such as Phishing or Malware."]);
        }
        var titleName = naming == IncidentNaming.Wire ? IncidentModel.Title.WireName : IncidentModel.Title.ApiName;
        if (!given.Any(p => string.Equals(p.Key, titleName, StringComparison.OrdinalIgnoreCase)))
        {
            given[titleName] = type.DeepClone();
        }
        var blank = IncidentWire.Record(incident, []);
        var (changes, errors) = IncidentEdits.Edit(blank, given, naming, Vocabulary);
        if (errors.Count > 0)
        {
            return (null, errors);
        }
        var resolved = await ResolveUsersAsync(changes, siteId, naming, cancellationToken);
        if (resolved.Errors.Count > 0)
        {
            return (null, resolved.Errors);
        }
        IncidentWire.Apply(incident, resolved.Changes, now);
        db.Incidents.Add(incident);
        var detail = new JsonObject { ["via"] = via, ["fields"] = new JsonArray(resolved.Changes.Select(c => (JsonNode)new JsonObject { ["field"] = c.Name, ["to"] = c.To?.DeepClone() }).ToArray()) };
        History(incident, "created", detail, actor, now);
        _created[incident] = audit.RecordAs(AuditActions.IncidentCreated, actor.UserId, actor.Username, incident.Title, detail, actor.KeyId);
        return (incident, []);
    }

    private async Task SaveAsync(Incident incident, IReadOnlyList<FieldChange> changes, string action, string auditAction, IncidentActor actor, CancellationToken cancellationToken)
    {
        if (changes.Count == 0)
        {
            return;
        }
        var now = time.GetUtcNow();
        IncidentWire.Apply(incident, changes, now);
        var detail = new JsonArray(changes.Select(c => (JsonNode)new JsonObject { ["field"] = c.Name, ["from"] = c.From?.DeepClone(), ["to"] = c.To?.DeepClone() }).ToArray());
        History(incident.Id, action, detail, actor, now);
        audit.RecordAs(auditAction, actor.UserId, actor.Username, incident.Number, detail, actor.KeyId);
        await SaveOrConflictAsync(incident, cancellationToken);
    }

    private async Task SaveOrConflictAsync(Incident incident, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e is DbUpdateConcurrencyException || DatabaseErrors.FindUniqueViolation(e) is not null)
        {
            db.ChangeTracker.Clear();
            throw new IncidentConflictException(incident.Number);
        }
    }

    /// <summary>
    /// Saves a new incident from <see cref="AddAsync"/> (and whatever else the caller added) in one transaction, its
    /// audit row naming the IR Number the insert gave it.
    /// </summary>
    public async Task SaveCreatedAsync(Incident incident, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        if (_created.Remove(incident, out var entry))
        {
            entry.Target = incident.Number;
            await db.SaveChangesAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    private readonly Dictionary<Incident, AuditEntry> _created = [];

    private void History(long incidentId, string action, JsonNode changes, IncidentActor actor, DateTimeOffset at) =>
        db.IncidentHistory.Add(new IncidentHistoryEntry { IncidentId = incidentId, At = at, Actor = actor.Username, Action = action, ChangesJson = changes.ToJsonString() });

    private void History(Incident incident, string action, JsonNode changes, IncidentActor actor, DateTimeOffset at) =>
        db.IncidentHistory.Add(new IncidentHistoryEntry { Incident = incident, At = at, Actor = actor.Username, Action = action, ChangesJson = changes.ToJsonString() });

    /// <summary>
    /// Owners and team members are enabled users who can access the incident's site, named as their accounts spell
    /// them. A name that is not one gets the same answer whether or not such a user exists elsewhere.
    /// </summary>
    private async Task<(IReadOnlyList<FieldChange> Changes, IReadOnlyList<string> Errors)> ResolveUsersAsync(
        IReadOnlyList<FieldChange> changes, int siteId, IncidentNaming naming, CancellationToken cancellationToken)
    {
        var names = changes.Where(c => c.Field == IncidentModel.Owner || c.Field == IncidentModel.Team)
            .SelectMany(c => c.To switch { JsonArray list => list.Select(n => n!.GetValue<string>()), JsonValue v => [v.GetValue<string>()], _ => [] })
            .Select(Normalize.Name).Distinct().ToList();
        if (names.Count == 0)
        {
            return (changes, []);
        }
        var users = await db.Users.AsNoTracking()
            .Where(u => names.Contains(u.NormalizedUsername) && u.Enabled && (u.Role == UserRole.Administrator || u.Sites.Any(s => s.SiteId == siteId)))
            .Select(u => new { u.NormalizedUsername, u.Username }).ToDictionaryAsync(u => u.NormalizedUsername, u => u.Username, cancellationToken);
        var siteName = await db.Sites.AsNoTracking().Where(s => s.Id == siteId).Select(s => s.Name).FirstAsync(cancellationToken);
        var errors = names.Where(n => !users.ContainsKey(n))
            .Select(n => $"'{(naming == IncidentNaming.Wire ? "Owner/Investigation Team" : "owner/investigationTeam")}' names '{n.ToLowerInvariant()}': "
                + $"give a user who can work on the site '{siteName}'.").ToList();
        if (errors.Count > 0)
        {
            return (changes, errors);
        }
        string Canonical(string name) => users[Normalize.Name(name)];
        return (changes.Select(c => c.Field == IncidentModel.Owner && c.To is JsonValue owner ? c with { To = Canonical(owner.GetValue<string>()) }
            : c.Field == IncidentModel.Team && c.To is JsonArray team ? c with { To = new JsonArray(team.Select(n => (JsonNode)Canonical(n!.GetValue<string>())).ToArray()) }
            : c).ToList(), []);
    }
}

public sealed record IncidentHistoryView(DateTimeOffset At, string Actor, string Action, JsonNode? Changes);
