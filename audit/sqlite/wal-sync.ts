import { open } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Durability of WAL commits without blocking the event loop.
 *
 * The store runs SQLite with `journal_mode = WAL` and `synchronous = NORMAL`: a commit appends
 * its frames to the `-wal` file with write(2) but no fsync, so it survives a process crash
 * (the frames are in the kernel's page cache) but not yet a power loss. SQLite documents that in
 * this mode "the WAL file is synchronized before each checkpoint and the database file is
 * synchronized after each completed checkpoint and the WAL file header is synchronized when a
 * WAL file begins to be reused after a checkpoint" (sqlite.org/pragma.html#pragma_synchronous):
 * the only unsynced data is the frames appended since the last checkpoint. This function
 * fsyncs exactly that, on the libuv threadpool (fs.fsync), so the calling thread keeps serving.
 *
 * Why the `-wal` file by path on every call: fsync(2) flushes the inode, whatever descriptor it
 * is called on, and reopening per call always reaches the file SQLite currently writes. The
 * file is reused in place after checkpoints (same inode), and SQLite deletes it only when the
 * last connection closes or the journal mode changes, after a complete checkpoint that synced
 * the database file: a missing `-wal` file therefore means the frames are in the synced
 * database, and we fsync the database file to be sure. The first call also fsyncs the
 * database file and the folder, so that a newly created database and `-wal` file have durable
 * directory entries (POSIX fsync of a file does not cover its name).
 *
 * Frames other processes wrote to the same file are flushed too; that is harmless (their
 * writers sync them themselves).
 *
 * @example
 * const sync = walSync('custos-data/audit/audit.db');
 * db.prepare('INSERT ...').run(...); await sync(); // the insert is now durable
 */
export const walSync = (file: string): (() => Promise<void>) => {
  let first = true;
  const fsyncPath = async (path: string, flags: string): Promise<boolean> => {
    let handle;
    try {
      handle = await open(path, flags);
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return false;
      throw error;
    }
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    return true;
  };
  return async () => {
    const synced = await fsyncPath(`${file}-wal`, 'r+');
    if (!synced || first) {
      await fsyncPath(file, 'r+');
      // Directories open read-only; fsync on them is how POSIX makes a new name durable.
      if (first && process.platform !== 'win32') await fsyncPath(dirname(file), 'r');
      first = false;
    }
  };
};
