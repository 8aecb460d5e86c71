using System.Collections.Concurrent;

namespace Gatehouse.Cluster;

/// <summary>
/// A read-through cache emptied whenever one of its topics changes on any node. A value read
/// from the database while a change arrives is not kept, so the cache never outlives a change.
/// </summary>
public sealed class TopicCache<TKey, TValue> where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, TValue> _values = new();
    private long _generation;

    public TopicCache(ChangeFeed feed, params string[] topics)
    {
        foreach (var topic in topics)
        {
            feed.Subscribe(topic, Clear);
        }
    }

    public void Clear()
    {
        Interlocked.Increment(ref _generation);
        _values.Clear();
    }

    public async ValueTask<TValue> GetAsync(TKey key, Func<TKey, Task<TValue>> load)
    {
        if (_values.TryGetValue(key, out var cached))
        {
            return cached;
        }
        var generation = Interlocked.Read(ref _generation);
        var value = await load(key);
        // Absent values are not cached: a flood of unknown keys must not fill memory.
        if (value is not null && Interlocked.Read(ref _generation) == generation)
        {
            _values[key] = value;
            if (Interlocked.Read(ref _generation) != generation)
            {
                _values.TryRemove(key, out _);
            }
        }
        return value;
    }
}
