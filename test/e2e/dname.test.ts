// The DNAME table (test/query/answers/dname.ts) against real BIND and Knot DNS
// serving the same zone files, and against rotor over the wire: every row must
// hold for all three, except where a reference is known to answer otherwise —
// those rows say here what it answers instead, and docs/decisions.md why rotor
// answers as the row says.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dname, dnameZones } from '../query/answers/dname.js';
import { caseTitle, expectAnswer, type Case } from '../query/answers/table.js';
import { startKnot, startNamed, type Daemon } from './daemons.js';
import { query, startRotor, type Rotor } from './harness.js';

const ROWS = [...dname.cases, ...dnameZones.cases];
const LOOP = [
  'loop1.dname.test. 3600 DNAME loop2.dname.test.', 'x.loop1.dname.test. 3600 CNAME x.loop2.dname.test.',
  'loop2.dname.test. 3600 DNAME loop1.dname.test.', 'x.loop2.dname.test. 3600 CNAME x.loop1.dname.test.',
];

/** Where a reference answers otherwise: the row as it answers it (checked, so that a change in it shows). */
const KNOWN: Record<'bind' | 'knot', Record<string, Partial<Case>>> = {
  bind: {
    // The same records, but SERVFAIL for the loop.
    'x.loop1.dname.test A': { status: 'SERVFAIL' },
    // BIND keeps the first TTL ("TTL set to prior TTL").
    'mixed.dname.test A': { answer: ['mixed.dname.test. 300 A 192.0.2.1', 'mixed.dname.test. 300 A 192.0.2.2'] },
  },
  knot: {
    // Knot refuses a zone with data below a DNAME (loaded here with soft semantic checks), and then serves it.
    'x.dn.dname.test TXT': { status: 'NOERROR', answer: ['x.dn.dname.test. 3600 TXT "occluded"'], authority: [] },
    // Knot follows the synthesised CNAME for ANY.
    'host.dn.dname.test ANY': { answer: [...dname.cases.find((c) => c.q === 'host.dn.dname.test A')!.answer!] },
    // Knot repeats the CNAMEs of the loop until its limit.
    'x.loop1.dname.test A': { answer: [...LOOP, LOOP[1]!, LOOP[1]!, LOOP[3]!] },
  },
};

/** Waits until `server` answers the SOA of each zone: a daemon may answer before its zones are loaded. */
async function loaded(server: { host: string; port: number }, origins: string[]): Promise<void> {
  for (const origin of origins) {
    for (let i = 0; (await query(server, origin, 'SOA')).status !== 'NOERROR'; i++) {
      if (i === 50) throw new Error(`${origin} not served on port ${server.port}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe('DNAME table against BIND and Knot', () => {
  let rotor: Rotor;
  let bind: Daemon;
  let knot: Daemon;
  before(async () => {
    const dir = dname.zonesDir!;
    const zones: Record<string, string> = {};
    for (const file of (await readdir(dir)).filter((f) => f.endsWith('.zone'))) zones[file.slice(0, -'.zone'.length)] = await readFile(join(dir, file), 'utf8');
    // The answers without BIND's NS RRset in every authority section, as rotor and Knot answer.
    [rotor, bind, knot] = await Promise.all([startRotor(dir), startNamed(zones, '  minimal-responses no-auth;\n'), startKnot(zones, '    semantic-checks: soft\n')]);
    await Promise.all([rotor, bind, knot].map((s) => loaded(s, Object.keys(zones))));
  });
  after(async () => { await Promise.all([rotor?.stop(), bind?.stop(), knot?.stop()]); });

  for (const c of ROWS) {
    const [name, type] = c.q.split(' ') as [string, string];
    it(`rotor: ${caseTitle(c)}`, async () => expectAnswer(c, await query(rotor, name, type), `rotor\n${name} ${type}`));
    for (const [ref, server] of [['bind', () => bind], ['knot', () => knot]] as const) {
      const known = KNOWN[ref][c.q];
      it(`${ref}${known ? ' (known to differ)' : ''}: ${caseTitle(c)}`, async () => {
        const r = await query(server(), name, type);
        expectAnswer({ ...c, ...known }, r, `${ref}\n${r.raw}`);
      });
    }
  }
});
