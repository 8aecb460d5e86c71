using System.Runtime.InteropServices;

namespace Gatehouse.Infrastructure;

/// <summary>
/// The data directory holds the database and the key ring: on Unix it is readable by the service
/// account only (0700, files 0600), and everything the process creates afterwards is too (umask 077),
/// including SQLite's -wal and -shm files and new keys.
/// </summary>
public static class DataDirectory
{
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static void Secure(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }
        _ = SetUmask(0b000_111_111); // 077: new files 0600, new folders 0700
        Directory.CreateDirectory(path, OwnerOnlyDirectory);
        File.SetUnixFileMode(path, OwnerOnlyDirectory);
        foreach (var entry in new DirectoryInfo(path).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
        {
            if (entry.LinkTarget is null)
            {
                File.SetUnixFileMode(entry.FullName, entry is DirectoryInfo ? OwnerOnlyDirectory : OwnerOnlyFile);
            }
        }
    }

    [DllImport("libc", EntryPoint = "umask")]
    private static extern uint SetUmask(uint mask);
}
