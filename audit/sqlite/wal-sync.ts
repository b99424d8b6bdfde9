import { closeSync, fstatSync, fsync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/** Makes committed WAL frames durable; `close` releases the descriptor. */
export interface WalSync {
  sync(): Promise<void>;
  close(): void;
}

const fsyncFd = (fd: number): Promise<void> =>
  new Promise((resolve, reject) => {
    fsync(fd, (error) => (error ? reject(error) : resolve()));
  });

/**
 * Durability of WAL commits without blocking the event loop.
 *
 * The store runs SQLite with `journal_mode = WAL` and `synchronous = NORMAL`: a commit appends
 * its frames to the `-wal` file with write(2) but no fsync, so it survives a process crash
 * (the frames are in the kernel's page cache) but not yet a power loss. SQLite documents that in
 * this mode "the WAL file is synchronized before each checkpoint and the database file is
 * synchronized after each completed checkpoint and the WAL file header is synchronized when a
 * WAL file begins to be reused after a checkpoint" (sqlite.org/pragma.html#pragma_synchronous):
 * the only unsynced data is the frames appended since. `sync` fsyncs exactly that, on the libuv
 * threadpool (fs.fsync), so the calling thread keeps serving meanwhile.
 *
 * The descriptor: fsync(2) flushes the inode, whatever descriptor it is called on, so one
 * descriptor of the `-wal` file is kept. SQLite reuses the file in place after checkpoints
 * (same inode, truncated at most), and deletes it only when the last connection closes or the
 * journal mode changes — never while our connection is open, but each call still compares the
 * path's inode with the descriptor's (a cached stat, no disk wait) and reopens when they
 * differ. A missing `-wal` file means its frames were checkpointed into the database file by a
 * checkpoint that synced it; the database file is then fsynced instead, to be sure. The first
 * call also fsyncs the database file and its folder, so that a newly created database and
 * `-wal` file have durable names (fsync of a file does not cover its directory entry).
 *
 * Frames other processes wrote to the same file are flushed too: harmless (they sync their own).
 *
 * @example
 * const wal = walSync('custos-data/audit/audit.db');
 * db.prepare('INSERT ...').run(...); await wal.sync(); // the insert is now durable
 */
export const walSync = (file: string): WalSync => {
  const walPath = `${file}-wal`;
  let fd: number | undefined;
  let ino: number | bigint | undefined;
  let first = true;
  const fsyncPath = async (path: string, flags: string): Promise<void> => {
    const once = openSync(path, flags);
    try {
      await fsyncFd(once);
    } finally {
      closeSync(once);
    }
  };
  const release = (): void => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
    ino = undefined;
  };
  const syncOnce = async (): Promise<void> => {
    const current = statSync(walPath, { throwIfNoEntry: false });
    if (current === undefined) {
      release();
      await fsyncPath(file, 'r+');
      return;
    }
    if (fd === undefined || current.ino !== ino) {
      release();
      fd = openSync(walPath, 'r+');
      ino = fstatSync(fd).ino;
    }
    await fsyncFd(fd);
    if (first) {
      await fsyncPath(file, 'r+');
      // Directories open read-only; fsync on one is how POSIX makes a new name in it durable.
      if (process.platform !== 'win32') await fsyncPath(dirname(file), 'r');
      first = false;
    }
  };
  // One fsync at a time: a call's fsync starts after the previous one ended (never on a
  // descriptor another call is releasing), and after everything committed before the call.
  let queue: Promise<void> = Promise.resolve();
  return {
    sync: () => {
      const run = queue.then(syncOnce);
      queue = run.catch(() => undefined);
      return run;
    },
    close: release,
  };
};
