// Reading the text of zone files and their $INCLUDEs without trusting them: a
// path may name a FIFO (an open or read that blocks until a writer comes), a
// device (/dev/zero never ends), a file that grows while it is read, or a file
// outside the directories the operator meant to serve from (`../../etc/shadow`,
// or a symlink to it). Each of these is refused with a message that names the
// file and never quotes its content.
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { sep } from 'node:path';

/** What one zone's files may be: where they may live, and how many octets all of them hold together. */
export interface SourceLimits {
  /** Directories (besides the zone file's own) that $INCLUDE may read from. */
  includeDirs: readonly string[];
  /** Octets of the zone file and every file it includes, together. */
  maxBytes: number;
}

export const SOURCE_DEFAULTS: SourceLimits = { includeDirs: [], maxBytes: 128 * 2 ** 20 };

export class SourceError extends Error {}

/** The octets still allowed for one zone's files; shared by the file and its $INCLUDEs. */
export interface ReadBudget {
  remaining: number;
  readonly limit: number;
}

export function readBudget(limits: SourceLimits): ReadBudget {
  return { remaining: limits.maxBytes, limit: limits.maxBytes };
}

/**
 * The real path of `path` (symlinks resolved) when it lies inside one of `roots`;
 * throws SourceError otherwise (or the file system's error, ENOENT and the like). Checked on every load, so a symlink changed to
 * point elsewhere is refused at start, when added and on SIGHUP alike.
 */
export function confinedPath(path: string, roots: readonly string[]): string {
  const real = realpathSync(path);
  for (const root of roots) {
    let realRoot: string;
    try {
      realRoot = realpathSync(root);
    } catch {
      continue;
    }
    if (real === realRoot || real.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep)) return real;
  }
  throw new SourceError(`${real} is outside the zone directory${roots.length > 1 ? ' and include-dirs' : ''} (list its directory in include-dirs to allow it)`);
}

function kindOf(mode: number): string {
  switch (mode & constants.S_IFMT) {
    case constants.S_IFIFO: return 'a FIFO';
    case constants.S_IFCHR: return 'a character device';
    case constants.S_IFBLK: return 'a block device';
    case constants.S_IFDIR: return 'a directory';
    case constants.S_IFSOCK: return 'a socket';
    default: return 'not a regular file';
  }
}

/**
 * The text of a regular file, read with a bound: at most `budget.remaining`
 * octets, however large the file says it is or grows while being read. Opened
 * non-blocking, so that a FIFO is refused at once instead of waiting for a writer.
 */
export function readSource(path: string, budget: ReadBudget): string {
  return readSourceOctets(path, budget).toString('utf8');
}

/**
 * readSource's octets, not yet decoded; a file of `sharedFrom` octets or more
 * in memory that another thread can read too (a SharedArrayBuffer: posting it copies nothing).
 */
export function readSourceOctets(path: string, budget: ReadBudget, sharedFrom = Infinity): Buffer {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const info = fstatSync(fd);
    const shared = info.size >= sharedFrom;
    const alloc = (n: number) => (shared ? Buffer.from(new SharedArrayBuffer(n)) : Buffer.allocUnsafe(n));
    if (!info.isFile()) throw new SourceError(`${path} is ${kindOf(info.mode)}; zone files and $INCLUDEs must be regular files`);
    const tooLarge = () => new SourceError(`${path} is over the size limit: a zone's files may hold ${budget.limit} octets in all (max-zone-file-size)`);
    if (info.size > budget.remaining) throw tooLarge();
    // Sized from fstat, grown if the file grows while it is read, and never past
    // one octet more than allowed: that octet tells a file over the limit.
    const cap = budget.remaining + 1;
    let buf = alloc(Math.min(cap, info.size + 1));
    let length = 0;
    for (;;) {
      if (length === buf.length) {
        if (length >= cap) throw tooLarge();
        const bigger = alloc(Math.min(cap, buf.length * 2));
        buf.copy(bigger, 0, 0, length);
        buf = bigger;
      }
      const n = readSync(fd, buf, length, buf.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > budget.remaining) throw tooLarge();
    const octets = buf.subarray(0, length);
    // A NUL never appears in a zone file: this is a binary file, and its content is not for the log.
    if (octets.includes(0)) throw new SourceError(`${path} is not a text file`);
    budget.remaining -= length;
    return octets;
  } finally {
    closeSync(fd);
  }
}
