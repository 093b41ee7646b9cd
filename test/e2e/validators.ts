// Real DNSSEC validators in front of a server under test, on loopback: Unbound
// (a validating resolver whose stub zones point at the server, with the zones'
// trust anchors) and BIND's delv (one validated lookup straight against the
// server). What they say — Unbound's AD bit and rcode, delv's "fully
// validated" — is what a signed zone is judged by.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RRType } from '../../src/wire/types.js';
import { Name } from '../../src/wire/name.js';
import { parseMasterFile } from '../../src/zone/masterfile.js';
import type { SignedSet } from '../authority/dnssec-proofs.js';
import { onFreePorts, startUnbound, type Daemon } from './daemons.js';

const exec = promisify(execFile);

/** A zone a validator trusts: its origin and a DS or DNSKEY record in presentation form (the trust anchor). */
export interface Anchored {
  origin: string;
  anchor: string;
}

/**
 * Unbound validating the `zones`, each a stub zone served at 127.0.0.1@`port`;
 * `elsewhere` zones (delegated to by those, but on a port of their own, which a
 * delegation cannot say, or served by another server) are stub zones too, with
 * their anchor when they have one.
 * Its cache keeps nothing (cache-max-ttl 0) so that every question reaches
 * the server, as a question to a fresh resolver would.
 */
export function startValidatingUnbound(zones: readonly Anchored[], port: number, elsewhere: readonly { origin: string; port: number; anchor?: string }[] = []): Promise<Daemon> {
  const extra = `  val-log-level: 2
  cache-max-ttl: 0
  cache-max-negative-ttl: 0
  aggressive-nsec: no
  qname-minimisation: no
  trust-anchor-signaling: no
  root-key-sentinel: no
${[...zones, ...elsewhere].flatMap((z) => (z.anchor ? [`  trust-anchor: "${z.anchor.replace(/\s+/g, ' ')}"`] : [])).join('\n')}
${[...zones.map((z) => ({ origin: z.origin, port })), ...elsewhere].map((z) => `stub-zone:\n  name: "${z.origin}"\n  stub-addr: 127.0.0.1@${z.port}`).join('\n')}`;
  return onFreePorts(1, ([own]) => startUnbound(extra, own!, true));
}

/** The unsigned child zone behind the `unsigned` delegation of the signed test zones (test/dnssec/signed-zone.ts), served by a second server. */
export const unsignedChild = (origin: string) => `$ORIGIN unsigned.${origin}
@ 300 IN SOA ns hostmaster 1 7200 900 1209600 300
@ 300 IN NS ns
ns 300 IN A 192.0.2.40
host 300 IN A 192.0.2.41
`;

/** What dig says through a resolver: the rcode, the AD flag, the answer's records. */
export interface Validated {
  rcode: string;
  ad: boolean;
  answer: string[];
  text: string;
}

/** `dig +dnssec` of `name` `type` at `server`. */
export async function digValidated(server: { host: string; port: number }, name: string, type: string): Promise<Validated> {
  const { stdout } = await exec('dig', [`@${server.host}`, '-p', String(server.port), name, type, '+dnssec', '+tries=1', '+time=10']);
  const rcode = /status: (\w+)/.exec(stdout)?.[1] ?? 'none';
  const flags = /;; flags:([^;]*);/.exec(stdout)?.[1] ?? '';
  const answerAt = stdout.indexOf(';; ANSWER SECTION:');
  const answer = answerAt < 0 ? [] : stdout.slice(answerAt).split('\n\n')[0]!.split('\n').slice(1).filter((l) => l.trim() !== '');
  return { rcode, ad: flags.split(/\s+/).includes('ad'), answer, text: stdout };
}

/** The delv trust-anchor file for `zone`. */
function anchorFile(zone: Anchored): string {
  const tokens = zone.anchor.trim().split(/\s+/);
  const at = tokens.findIndex((t) => t === 'DS' || t === 'DNSKEY');
  const [a, b, c, ...rest] = tokens.slice(at + 1);
  const kind = tokens[at] === 'DS' ? 'static-ds' : 'static-key';
  return `trust-anchors {\n  "${zone.origin}" ${kind} ${a} ${b} ${c} "${rest.join('')}";\n};\n`;
}

/** delv's lookup of `name` `type` against the server at 127.0.0.1@`port`, validated from `zone`'s anchor: its output and whether it says "fully validated". */
export async function delv(zone: Anchored, port: number, name: string, type: string): Promise<{ validated: boolean; text: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'rotor-delv-'));
  try {
    const file = join(dir, 'anchors.conf');
    await writeFile(file, anchorFile(zone));
    const r = await exec('delv', [`@127.0.0.1`, '-p', String(port), '-a', file, `+root=${zone.origin}`, name, type], { timeout: 30_000 }).catch((e: { stdout?: string; stderr?: string }) => ({ stdout: e.stdout ?? '', stderr: e.stderr ?? '' }));
    const text = `${r.stdout}${r.stderr}`;
    return { validated: /fully validated/.test(text), text };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A response as dig printed it, each section's RRsets with the RRSIGs that cover them. */
export interface DigSections {
  rcode: string;
  flags: string[];
  answer: SignedSet[];
  authority: SignedSet[];
  additional: SignedSet[];
  /** The records of the answer section in the order dig printed them (owner, type, data). */
  answerLines: string[];
  text: string;
}

/** The records of one section of dig's output, read by rotor's master-file parser, grouped into RRsets with their signatures. */
function sectionSets(text: string, title: string): { sets: SignedSet[]; lines: string[] } {
  const at = text.indexOf(`;; ${title} SECTION:`);
  if (at < 0) return { sets: [], lines: [] };
  const lines = text.slice(at).split('\n\n')[0]!.split('\n').slice(1).filter((l) => l.trim() !== '');
  const parsed = parseMasterFile(lines.join('\n') + '\n', 'dig', Name.root, 0);
  const sets = new Map<string, SignedSet & { rdata: Buffer[]; signatures: Buffer[] }>();
  const setOf = (owner: Name, type: number, ttl: number) => {
    const key = `${owner.key} ${type}`;
    let set = sets.get(key);
    if (!set) sets.set(key, (set = { owner, type, ttl, rdata: [], signatures: [] }));
    return set;
  };
  for (const r of parsed.records) {
    if (r.type === RRType.RRSIG) setOf(r.owner, r.rdata.readUInt16BE(0), r.ttl).signatures.push(r.rdata);
    else setOf(r.owner, r.type, r.ttl).rdata.push(r.rdata);
  }
  return { sets: [...sets.values()], lines: lines.map((l) => l.split(/\s+/).filter((_, i) => i !== 1).join(' ')) };
}

/** `dig +dnssec +norec` of `name` `type` straight at an authoritative server. */
export async function digSections(server: { host: string; port: number }, name: string, type: string): Promise<DigSections> {
  const { stdout } = await exec('dig', [`@${server.host}`, '-p', String(server.port), name, type, '+dnssec', '+norec', '+tries=1', '+time=10', '+bufsize=4096']);
  const flags = (/;; flags:([^;]*);/.exec(stdout)?.[1] ?? '').trim().split(/\s+/);
  const answer = sectionSets(stdout, 'ANSWER');
  return {
    rcode: /status: (\w+)/.exec(stdout)?.[1] ?? 'none', flags,
    answer: answer.sets, authority: sectionSets(stdout, 'AUTHORITY').sets, additional: sectionSets(stdout, 'ADDITIONAL').sets,
    answerLines: answer.lines, text: stdout,
  };
}
