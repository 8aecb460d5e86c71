using System.Collections.Concurrent;

namespace Gatehouse.Cluster;

/// <summary>
/// The node's view of what changed: caches subscribe to topics and are told when their data
/// may be stale, whether the change was made here or on another node.
/// </summary>
public sealed class ChangeFeed
{
    private readonly ConcurrentDictionary<string, List<Action>> _subscribers = new();
    private readonly ConcurrentDictionary<string, string> _seen = new();

    public void Subscribe(string topic, Action onChange)
    {
        var list = _subscribers.GetOrAdd(topic, _ => []);
        lock (list)
        {
            list.Add(onChange);
        }
    }

    /// <summary>Tell this node's subscribers that <paramref name="topic"/> changed.</summary>
    public void Changed(string topic)
    {
        if (!_subscribers.TryGetValue(topic, out var list))
        {
            return;
        }
        Action[] handlers;
        lock (list)
        {
            handlers = [.. list];
        }
        foreach (var handler in handlers)
        {
            handler();
        }
    }

    /// <summary>Compares stored versions with the last ones seen and raises the topics that moved.</summary>
    public void Observe(IReadOnlyDictionary<string, string> versions)
    {
        foreach (var (topic, version) in versions)
        {
            var previous = _seen.GetValueOrDefault(topic);
            if (previous != version)
            {
                _seen[topic] = version;
                if (previous is not null)
                {
                    Changed(topic);
                }
            }
        }
    }
}
