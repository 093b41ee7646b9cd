// Dropping root once the sockets are bound (rotor.yaml's user: and group:),
// as BIND's -u and NSD's username: do: port 53 needs root or
// CAP_NET_BIND_SERVICE to bind, and nothing after that needs either.
import { execFileSync } from 'node:child_process';
import { ConfigError } from './config.js';
import type { Logger } from './log.js';

/** The numeric id `id -u|-g NAME` gives; the system's user database (NSS) decides, not a parse of /etc/passwd. */
function lookup(flag: '-u' | '-g', user: string): number {
  if (/^\d+$/.test(user)) return Number(user);
  try {
    return Number(execFileSync('id', [flag, user], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    throw new ConfigError(`user: no user "${user}" on this system`);
  }
}

export interface Account {
  uid: number;
  gid: number;
}

/** The uid and gid `user` and `group` name (the user's own group when no group is given); undefined when neither is set. */
export function resolveAccount(user: string | undefined, group: string | undefined): Account | undefined {
  if (user === undefined && group === undefined) return undefined;
  const uid = user === undefined ? process.getuid!() : lookup('-u', user);
  let gid: number;
  if (group === undefined) gid = user === undefined ? process.getgid!() : lookup('-g', user);
  else if (/^\d+$/.test(group)) gid = Number(group);
  else {
    try {
      // getent, since `id -g` takes users only.
      gid = Number(execFileSync('getent', ['group', group], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split(':')[2]);
    } catch {
      throw new ConfigError(`group: no group "${group}" on this system`);
    }
  }
  return { uid, gid };
}

/**
 * Becomes `account`: supplementary groups, then the group, then the user (the
 * other way round, the user could no longer change its groups). Running as
 * that account already is fine; anything else needs root.
 */
export function dropPrivileges(account: Account, user: string | undefined, logger: Logger): void {
  if (process.getuid!() === account.uid && process.getgid!() === account.gid) return;
  if (process.getuid!() !== 0) {
    throw new ConfigError(`user/group: rotor runs as uid ${process.getuid!()}, not root, and cannot become uid ${account.uid} gid ${account.gid}`);
  }
  // @types/node leaves initgroups out, though Node has it on POSIX systems.
  const posix = process as unknown as { initgroups(user: string, group: number): void };
  if (user !== undefined && !/^\d+$/.test(user)) posix.initgroups(user, account.gid);
  else process.setgroups!([account.gid]);
  process.setgid!(account.gid);
  process.setuid!(account.uid);
  logger.info({ uid: account.uid, gid: account.gid, user }, `sockets bound: now running as uid ${account.uid}, gid ${account.gid}`);
}
