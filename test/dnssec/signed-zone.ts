// Zones signed by BIND's dnssec-signzone with keys from dnssec-keygen, made in a
// temporary directory by the test that needs them: the pre-signed zones rotor
// serves as their file has them (as NSD does), for the model's, the answer's
// and the validators' tests.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Denial = 'nsec' | 'nsec3' | 'nsec3-optout';

export interface SignOptions {
  origin: string;
  /** The unsigned master file. */
  text: string;
  /** dnssec-keygen's algorithm name. */
  algorithm?: 'ECDSAP256SHA256' | 'ED25519' | 'RSASHA256';
  denial?: Denial;
}

export interface SignedZone {
  origin: string;
  /** Where the keys and both files are; remove() deletes it. */
  dir: string;
  /** The signed master file (dnssec-signzone's output) and its text. */
  file: string;
  text: string;
  /** The KSK's DNSKEY and DS records in presentation form (trust anchors). */
  dnskey: string;
  ds: string;
  remove(): void;
}

function run(dir: string, cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}${r.error?.message ?? ''}`);
  return r.stdout;
}

/** Signs `options.text` with a new KSK and ZSK; NSEC3 without salt, 0 iterations (RFC 9276). */
export function signZone(options: SignOptions): SignedZone {
  const { origin, text, algorithm = 'ECDSAP256SHA256', denial = 'nsec' } = options;
  const dir = mkdtempSync(join(tmpdir(), 'rotor-signed-'));
  const unsigned = join(dir, `${origin}zone`);
  const ksk = run(dir, 'dnssec-keygen', ['-q', '-K', dir, '-a', algorithm, '-f', 'KSK', origin]).trim();
  const zsk = run(dir, 'dnssec-keygen', ['-q', '-K', dir, '-a', algorithm, origin]).trim();
  writeFileSync(unsigned, `${text}\n$INCLUDE ${ksk}.key\n$INCLUDE ${zsk}.key\n`);
  const file = `${unsigned}.signed`;
  const nsec3 = denial === 'nsec' ? [] : ['-3', '-', '-H', '0', ...(denial === 'nsec3-optout' ? ['-A'] : [])];
  run(dir, 'dnssec-signzone', ['-q', '-K', dir, '-o', origin, '-f', file, ...nsec3, unsigned, `${ksk}.key`, `${zsk}.key`]);
  const keyLine = readFileSync(join(dir, `${ksk}.key`), 'utf8').split('\n').find((l) => /\sDNSKEY\s/.test(l))!;
  const ds = run(dir, 'dnssec-dsfromkey', ['-2', `${ksk}.key`]).trim();
  return { origin, dir, file, text: readFileSync(file, 'utf8'), dnskey: keyLine.trim(), ds, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The text with one character of the first signature line after `owner`'s first line changed: one signature byte. */
export function tamperSignature(text: string, owner: string): string {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.startsWith(owner));
  const sig = lines.findIndex((l, i) => i > at && /^\s+[A-Za-z0-9+/]{20,}\s*$/.test(l));
  const line = lines[sig]!;
  const i = line.search(/\S/);
  lines[sig] = line.slice(0, i) + (line[i] === 'A' ? 'B' : 'A') + line.slice(i + 1);
  return lines.join('\n');
}

/** A zone with something of each kind a DNSSEC answer must prove: see test/authority/dnssec.test.ts. */
export const SIGNED_EXAMPLE = `$TTL 3600
@        IN SOA ns1 hostmaster 1 7200 900 1209600 300
         IN NS  ns1
ns1      IN A   192.0.2.1
www      IN A   192.0.2.10
         IN A   192.0.2.11
         IN AAAA 2001:db8::10
mail     IN MX  10 mx1
         IN MX  10 mx2
         IN MX  10 mx3
         IN MX  10 mx4
mx1      IN A   192.0.2.21
mx2      IN A   192.0.2.22
mx3      IN A   192.0.2.23
mx4      IN A   192.0.2.24
*.wild   IN TXT "wildcard"
a.b.ent  IN A   192.0.2.30
c1       IN CNAME c2
c2       IN CNAME www
ext      IN CNAME www.example.net.
dangling IN CNAME nothere
unsigned IN NS  ns.unsigned
ns.unsigned IN A 192.0.2.40
secure   IN NS  ns.secure
         IN DS  12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
ns.secure IN A  192.0.2.41
old      IN DNAME new.example.org.
`;
