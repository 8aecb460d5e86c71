namespace Gatehouse.Core.Statistics;

/// <summary>
/// The intake backlog (received, not yet processed) at the end of each bucket, from counts an index answers: what is
/// unprocessed now, less what was received since, plus what was processed since.
/// </summary>
public static class Backlog
{
    public static IReadOnlyList<int> AtBucketEnds(
        int unprocessedNow, IReadOnlyList<int> receivedPerBucket, int receivedAfterWindow, IReadOnlyList<int> processedPerBucket, int processedAfterWindow)
    {
        var result = new int[receivedPerBucket.Count];
        long receivedSince = receivedAfterWindow, processedSince = processedAfterWindow;
        for (var i = receivedPerBucket.Count - 1; i >= 0; i--)
        {
            result[i] = (int)Math.Max(0, unprocessedNow - receivedSince + processedSince);
            receivedSince += receivedPerBucket[i];
            processedSince += processedPerBucket[i];
        }
        return result;
    }
}
