// The key directory: a zone's keys as BIND's K<zone>.+<alg>+<tag>.key and
// .private files (so that dnssec-keygen's keys are used and BIND's tools read
// rotor's), made on first use, read with their timing metadata, rewritten when
// a rollover changes their times. The directory is made 0700 and every file
// 0600: private keys are for the owner only, and never logged.
import { chown, mkdir, open, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Name } from '../wire/name.js';
import { bindKeyFiles, readBindKeyPair, readKeyTimes } from './bind-key-files.js';
import { ALGORITHM_NAMES, DnssecKeyError, generateKey, type SigningKey } from './keys.js';
import { keyRole, keysInForce, missingKeys, type StoredKey } from './key-set.js';
import { nextTime, wholeSecond, type KeyTimes } from './key-timing.js';
import type { DnssecPolicy, ZoneKeys } from './policy.js';

/** Told of what is worth a log line but stops nothing: a bad file, a key of another algorithm. Never key material. */
export type KeyWarning = (message: string) => void;

/** The K<zone>.+ prefix of a zone's key files, as dnssec-keygen names them (the name in lower case). */
function filePrefix(origin: Name): string {
  return `K${origin.toString().toLowerCase()}+`;
}

function failure(dir: string, e: unknown): DnssecKeyError {
  return new DnssecKeyError(`key directory ${dir}: ${(e as Error).message}`);
}

/**
 * Every key of `origin` in the directory, whatever its algorithm; a file that
 * is not a key (or not the zone's) is left out with a warning at `file:line:col`,
 * a .key without its .private too (a public key alone cannot sign). A directory
 * not there yet holds no key; one that cannot be read throws DnssecKeyError.
 */
export async function readZoneKeys(origin: Name, dir: string, warn: KeyWarning = () => {}): Promise<StoredKey[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw failure(dir, e);
  }
  const prefix = filePrefix(origin).toLowerCase();
  const keys: StoredKey[] = [];
  for (const name of names.filter((n) => n.toLowerCase().startsWith(prefix) && n.endsWith('.key')).sort()) {
    const path = join(dir, name.slice(0, -'.key'.length));
    let text: { key: string; private: string };
    try {
      text = { key: await readFile(`${path}.key`, 'utf8'), private: await readFile(`${path}.private`, 'utf8') };
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      warn(err.code === 'ENOENT' ? `${path}.key: no ${path}.private beside it: key left out` : `${path}: cannot read: ${err.message}: key left out`);
      continue;
    }
    try {
      const priv = { file: `${path}.private`, text: text.private };
      const key = readBindKeyPair({ file: `${path}.key`, text: text.key }, priv);
      if (key.owner.key !== origin.key) {
        warn(`${path}.key: the key is for ${key.owner}, not ${origin}: left out`);
        continue;
      }
      keys.push({ key, times: readKeyTimes(priv), path });
    } catch (e) {
      if (!(e instanceof DnssecKeyError)) throw e;
      warn(`${e.message}: key left out`);
    }
  }
  return keys;
}

/** The zones with key files in `dir`, by the files' names (K<zone>.+<alg>+<tag>.key); none when it is not there. */
export async function zonesWithKeys(dir: string): Promise<Name[]> {
  const names = await readdir(dir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [];
    throw failure(dir, e);
  });
  const zones = new Map<string, Name>();
  for (const file of names) {
    const m = /^K(.+\.)\+\d{3}\+\d{5}\.key$/.exec(file);
    if (!m) continue;
    try {
      const zone = Name.parse(m[1]!);
      zones.set(zone.key, zone);
    } catch {
      // Not a name: no key file of rotor's or BIND's.
    }
  }
  return [...zones.values()];
}

/**
 * Writes a file whole or not at all (a reader never sees half a key), mode 0600.
 * Written by root (`rotor dnssec rollover` run with sudo), it goes to the
 * directory's owner: the user rotor serve runs as must still read it.
 */
async function writeWhole(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, text, { mode: 0o600 });
  if (process.getuid?.() === 0) {
    const dir = await stat(dirname(file));
    await chown(temp, dir.uid, dir.gid);
  }
  await rename(temp, file);
}

/** Writes `key` with `times` into `dir` (made 0700 if missing): the .private first, so that a .key always has its pair. */
export async function writeZoneKey(dir: string, key: SigningKey, times: KeyTimes): Promise<StoredKey> {
  const files = bindKeyFiles(key, times);
  const path = join(dir, files.base);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeWhole(`${path}.private`, files.private);
    await writeWhole(`${path}.key`, files.key);
  } catch (e) {
    throw failure(dir, e);
  }
  return { key, times, path };
}

/** Writes a key's files again, where they are, with new times (the rest of the files as bindKeyFiles writes them). */
export async function rewriteKeyTimes(stored: StoredKey, times: KeyTimes): Promise<StoredKey> {
  const files = bindKeyFiles(stored.key, times);
  try {
    await writeWhole(`${stored.path}.private`, files.private);
    await writeWhole(`${stored.path}.key`, files.key);
  } catch (e) {
    throw failure(dirname(stored.path), e);
  }
  return { ...stored, times };
}

/** A lock older than this was left by a process that died. */
const STALE_LOCK_MS = 30_000;
const LOCK_WAIT_MS = 10_000;

/**
 * Runs `fn` holding the zone's lock in the key directory (a file made with O_EXCL),
 * so that worker processes signing the same zone, or `rotor dnssec rollover`
 * beside a running server, do not make keys twice or lose a change of times.
 */
export async function withKeyLock<T>(origin: Name, dir: string, fn: () => Promise<T>): Promise<T> {
  const lock = join(dir, `.${filePrefix(origin)}lock`);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw failure(dir, e);
  }
  const started = Date.now();
  for (;;) {
    try {
      await (await open(lock, 'wx', 0o600)).close();
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw failure(dir, e);
      const age = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > STALE_LOCK_MS) await unlink(lock).catch(() => {});
      else if (Date.now() - started > LOCK_WAIT_MS) throw new DnssecKeyError(`key directory ${dir}: ${lock} has been held for ${Math.round(age / 1000)} s; remove it if no rotor is using the keys`);
      else await new Promise((r) => setTimeout(r, 50));
    }
  }
  try {
    return await fn();
  } finally {
    await unlink(lock).catch(() => {});
  }
}

/** The keys with a role under the policy (its algorithm, flags it knows); the others are left out, each with a warning. */
function usable(keys: StoredKey[], policy: DnssecPolicy, warn: KeyWarning): StoredKey[] {
  return keys.filter((k) => {
    if (k.key.algorithm !== policy.algorithm) {
      warn(`${k.path}.key: algorithm ${ALGORITHM_NAMES[k.key.algorithm]}, but the policy signs with ${ALGORITHM_NAMES[policy.algorithm]}: key left out`);
      return false;
    }
    if (keyRole(k.key, policy) === undefined) {
      warn(`${k.path}.key: flags ${k.key.flags}${policy.keys === 'csk' ? ', but keys: csk uses one key with flags 257' : ' are neither 256 (ZSK) nor 257 (KSK)'}: key left out`);
      return false;
    }
    return true;
  });
}

/**
 * The keys in force for `origin` at `now`, making those the policy needs and
 * the directory lacks (a CSK, or a KSK and a ZSK: published and active from
 * `now`). Throws DnssecKeyError when the directory cannot be read or written,
 * and when a key is lacking while some of the zone's key files cannot be read:
 * a broken file may be the key the parent's DS names, and a new key in its
 * place would break the chain of trust without a word.
 */
export async function zoneKeys(origin: Name, policy: DnssecPolicy, now: Date, warn: KeyWarning = () => {}): Promise<ZoneKeys> {
  let unreadable = 0;
  let keys = usable(await readZoneKeys(origin, policy.keyDirectory, (m) => { unreadable++; warn(m); }), policy, warn);
  if (missingKeys(keys, policy, now).length > 0) {
    if (unreadable > 0) {
      throw new DnssecKeyError(`${origin}: no usable key, and ${unreadable} of its key files in ${policy.keyDirectory} cannot be read (logged): fix or remove them; rotor makes new keys only where none is broken`);
    }
    keys = await withKeyLock(origin, policy.keyDirectory, async () => {
      // Another process may have made them while this one waited for the lock.
      const found = usable(await readZoneKeys(origin, policy.keyDirectory), policy, () => {});
      const since = wholeSecond(now);
      const times = { created: since, publish: since, activate: since };
      const made = await Promise.all(missingKeys(found, policy, now).map((flags) => writeZoneKey(policy.keyDirectory, generateKey(origin, policy.algorithm, flags), times)));
      return [...found, ...made];
    });
  }
  return keysInForce(keys, policy, now);
}

/**
 * The next moment after `now` at which the zone's keys in force change (a key
 * published, activated, retired or removed, a CDS coming or going): when the
 * zone must be signed again. Undefined when no key has a moment to come.
 */
export async function nextKeyEvent(origin: Name, policy: DnssecPolicy, now: Date): Promise<Date | undefined> {
  let next: Date | undefined;
  for (const k of await readZoneKeys(origin, policy.keyDirectory)) {
    if (k.key.algorithm !== policy.algorithm) continue;
    const at = nextTime(k.times, now);
    if (at && (!next || at < next)) next = at;
  }
  return next;
}
