// The catalog zone (RFC 9432) against real consumers: a Knot DNS with
// `catalog-role: interpret` and a BIND with `catalog-zones`, each configured
// with the catalog zone alone, serve every zone rotor serves, and follow the
// zone directory as files are added, deleted and renamed.
import assert from 'node:assert/strict';
import { readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { asSet, manyLogs, query, REPO, runCli, startRotor, STARTUP_MS, tempDir, type Rotor } from './harness.js';
import { knotConfig, knotRotorPrimary, namedConfig, onFreePorts, startDaemon, type Daemon } from './daemons.js';
import { decode, makeQuery, udpExchange, type Server } from './raw.js';

const SECRET = 'cm90b3ItdGVzdC1rZXktbm90LWEtcmVhbC1zZWNyZXQ='; // an obvious test key
const KEY = `hmac-sha256:transfer-key:${SECRET}`;
const CATALOG = 'catalog.invalid';

async function startKnot(port: number, rotorPort: number): Promise<Daemon> {
  const dir = await tempDir();
  await writeFile(join(dir, 'knot.conf'), knotConfig(dir, port, `${knotRotorPrimary(rotorPort, 'transfer-key', SECRET)}template:
  - id: default
    storage: "${dir}"
    master: rotor
    acl: notify-from-rotor
    zonefile-sync: -1
  - id: member
    storage: "${dir}"
    master: rotor
    acl: notify-from-rotor
    zonefile-sync: -1
zone:
  - domain: ${CATALOG}
    catalog-role: interpret
    catalog-template: member
`));
  return startDaemon('knotd', ['-c', join(dir, 'knot.conf')], dir, port, CATALOG);
}

async function startBind(port: number, rotorPort: number): Promise<Daemon> {
  const dir = await tempDir();
  const primaries = `port ${rotorPort} { 127.0.0.1 key "transfer-key"; }`;
  // min-update-interval: BIND applies a catalog's changes at most this often (5 s by default).
  const options = `  allow-new-zones yes;
  catalog-zones { zone "${CATALOG}" default-primaries ${primaries} in-memory yes min-update-interval 1; };
`;
  const body = `key "transfer-key" { algorithm hmac-sha256; secret "${SECRET}"; };
zone "${CATALOG}" { type secondary; primaries ${primaries}; file "${join(dir, 'catalog.db')}"; };`;
  await writeFile(join(dir, 'named.conf'), namedConfig(dir, port, body, options));
  return startDaemon('named', ['-g', '-c', join(dir, 'named.conf')], dir, port, CATALOG);
}

/** A small zone whose records tell it apart: its name in a TXT, an address. */
function smallZone(name: string, n: number): string {
  return [
    "'':", '  - { type: NS, value: ns1 }', `  - { type: TXT, value: "zone ${name}" }`,
    'ns1: { type: A, value: 192.0.2.53 }', `www: { type: A, value: 198.51.100.${n % 250} }`, '',
  ].join('\n');
}

/** The SOA serial `server` answers for `zone` with authority, or undefined (REFUSED, not yet loaded, no answer). */
async function servedSerial(server: Server, zone: string): Promise<number | undefined> {
  const reply = await udpExchange(server, makeQuery(zone, 6), 500);
  if (!reply) return undefined;
  const msg = decode(reply);
  const aa = (reply.readUInt16BE(2) & 0x0400) !== 0;
  const soa = msg.answers.find((a: { type: number }) => a.type === 6) as { serial?: number } | undefined;
  return aa && (reply.readUInt16BE(2) & 0xf) === 0 ? soa?.serial : undefined;
}

/** Polls until `check` holds for every zone on `server`; the time it took. */
async function until(server: Server, zones: string[], check: (zone: string, serial: number | undefined) => boolean, ms: number, what: string): Promise<number> {
  const started = Date.now();
  let left = zones;
  while (Date.now() - started < ms) {
    const seen = await Promise.all(left.map(async (z) => check(z, await servedSerial(server, z))));
    left = left.filter((_, i) => !seen[i]);
    if (left.length === 0) return Date.now() - started;
    await sleep(100);
  }
  throw new Error(`${what}: ${left.length} zones still not so after ${ms} ms: ${left.slice(0, 5).join(', ')}`);
}

describe('catalog zone to real secondaries', () => {
  let rotor: Rotor;
  let knot: Daemon;
  let bind: Daemon;
  let zonesDir: string;
  let socket: string;
  let configDir: string;

  before(async () => {
    zonesDir = await tempDir({
      'corp.example.yaml': await readFile(join(REPO, 'zones', 'corp.example.yaml'), 'utf8'),
      'a.test.yaml': smallZone('a.test', 1),
      'b.test.yaml': smallZone('b.test', 2),
    });
    configDir = await tempDir();
    const config = join(configDir, 'rotor.yaml');
    socket = join(configDir, 'rotor.sock');
    [rotor, knot, bind] = await onFreePorts(2, async ([knotPort, bindPort]) => {
      await writeFile(config, [
        'keys:',
        `  transfer-key: { algorithm: hmac-sha256, secret: "${SECRET}" }`,
        'allow-transfer: [127.0.0.1]',
        'transfer-key: transfer-key',
        `also-notify: [127.0.0.1:${knotPort}, 127.0.0.1:${bindPort}]`,
        `control-socket: ${socket}`,
        'catalog:',
        `  name: ${CATALOG}`,
        '  properties:',
        '    corp.example: { group: corp }',
        '',
      ].join('\n'));
      const primary = await startRotor(zonesDir, ['--config', config]);
      const started = await Promise.allSettled([startKnot(knotPort!, primary.port), startBind(bindPort!, primary.port)]);
      const failed = started.find((x) => x.status === 'rejected');
      if (failed) {
        await Promise.all([primary.stop(), ...started.map((x) => (x.status === 'fulfilled' ? x.value.stop() : undefined))]);
        throw failed.reason;
      }
      const [k, b] = started.map((x) => (x as PromiseFulfilledResult<Daemon>).value) as [Daemon, Daemon];
      return [primary, k, b] as const;
    });
  });
  after(async () => {
    await Promise.all([knot?.stop(), bind?.stop(), rotor?.stop()]);
    await Promise.all([zonesDir, configDir].map((d) => d && rm(d, { recursive: true, force: true })));
  });

  const secondaries = () => [['Knot DNS', knot], ['BIND', bind]] as const;

  /** Every secondary serves each of `zones` at rotor's serial. */
  async function reachBoth(zones: string[], ms: number): Promise<Record<string, number>> {
    const took: Record<string, number> = { rotor: await until(rotor, zones, (_z, s) => s !== undefined, ms, 'rotor') };
    const serials = new Map(await Promise.all(zones.map(async (z) => [z, await servedSerial(rotor, z)] as const)));
    for (const [name, server] of secondaries()) {
      took[name] = await until(server, zones, (z, s) => s !== undefined && s === serials.get(z), ms, name)
        .catch((e: Error) => { throw new Error(`${e.message}\n${server.output().slice(-3000)}`); });
    }
    return took;
  }

  /** The secondaries answer these questions as rotor does, as sets. */
  async function sameAnswers(questions: [string, string][]): Promise<void> {
    for (const [name, type] of questions) {
      const ours = await query(rotor, name, type);
      for (const [peer, server] of secondaries()) {
        const theirs = await query(server, name, type);
        assert.equal(theirs.status, ours.status, `${peer}: ${name} ${type}`);
        assert.deepEqual(asSet(theirs.answer), asSet(ours.answer), `${peer}: ${name} ${type}`);
      }
    }
  }

  it('the catalog lists every zone, and is answered only to its secondaries', async () => {
    const refused = await query(rotor, CATALOG, 'SOA');
    assert.equal(refused.status, 'REFUSED', 'an unsigned query from anyone');
    const axfr = await query(rotor, CATALOG, 'AXFR', { tcp: true, options: ['-y', KEY] });
    const ptrs = axfr.answer.filter((r) => r.type === 'PTR' && r.name.endsWith(`.zones.${CATALOG}.`));
    assert.deepEqual(ptrs.map((r) => r.data).sort(), ['a.test.', 'b.test.', 'corp.example.']);
    assert.deepEqual(axfr.answer.filter((r) => r.name === `version.${CATALOG}.`).map((r) => r.data), ['"2"']);
    const group = axfr.answer.find((r) => r.name.startsWith('group.') && r.type === 'TXT');
    assert.equal(group?.data, '"corp"');
    assert.equal(group?.name, `group.${ptrs.find((r) => r.data === 'corp.example.')!.name}`);
  });

  it('rotor ctl zones shows the catalog zone and each zone\'s membership', async () => {
    const r = await runCli(['ctl', '--socket', socket, 'zones']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.match(lines.find((l) => l.includes(`zone: ${CATALOG}.`)) ?? '', /served: true, serial: \d+, records: 7, lastLoadFailed: false, catalogMembers: 3/);
    const corp = lines.find((l) => l.includes('zone: corp.example.')) ?? '';
    assert.match(corp, new RegExp(`catalog: ${CATALOG}\\., catalogLabel: [0-9a-v]{16}, group: corp`), r.stdout);
    assert.match(lines.find((l) => l.includes('zone: a.test.')) ?? '', /catalog: catalog\.invalid\., catalogLabel: [0-9a-v]{16}$/);
  });

  it('both secondaries, configured with the catalog alone, serve every zone within seconds', async () => {
    await reachBoth(['corp.example', 'a.test', 'b.test'], 20_000);
    await sameAnswers([['corp.example', 'MX'], ['www.corp.example', 'A'], ['a.test', 'TXT'], ['www.b.test', 'A'], ['nothere.a.test', 'A']]);
  });

  it('a zone file added appears on both, with the same answers, the catalog through NOTIFY and IXFR', async (t) => {
    const before = rotor.logs.length;
    await writeFile(join(zonesDir, 'new.test.yaml'), smallZone('new.test', 7));
    const took = await reachBoth(['new.test'], 15_000);
    // Log lines come through rotor's stdout a moment after they are written.
    const catalogTransfers = () => rotor.logs.slice(before).filter((l) => l.msg === 'transfer' && l.zone === `${CATALOG}.` && l.kind !== 'IXFR-up-to-date').map((l) => l.kind);
    await rotor.waitForLog(() => catalogTransfers().length >= 2, 5000).catch(() => undefined);
    assert.deepEqual(catalogTransfers(), ['IXFR', 'IXFR'], 'each secondary fetched the one change');
    await sameAnswers([['new.test', 'TXT'], ['www.new.test', 'A'], ['new.test', 'NS']]);
    t.diagnostic(`a zone file added: served by rotor in ${took.rotor} ms, then by Knot ${took['Knot DNS']} ms and BIND ${took.BIND} ms later`);
  });

  it('a zone file deleted disappears from both', async () => {
    await rm(join(zonesDir, 'b.test.yaml'));
    for (const [name, server] of secondaries()) await until(server, ['b.test'], (_z, s) => s === undefined, 15_000, `${name} drops b.test`);
    await reachBoth(['a.test', 'corp.example'], 5000);
  });

  it('a zone file renamed moves: the new name appears on both and the old one goes', async (t) => {
    await rename(join(zonesDir, 'a.test.yaml'), join(zonesDir, 'moved.test.yaml'));
    const took = await reachBoth(['moved.test'], 15_000);
    t.diagnostic(`a zone file renamed: the new name served by rotor in ${took.rotor} ms, then by Knot ${took['Knot DNS']} ms and BIND ${took.BIND} ms later`);
    for (const [name, server] of secondaries()) await until(server, ['a.test'], (_z, s) => s === undefined, 15_000, `${name} drops a.test`);
    await sameAnswers([['moved.test', 'TXT']]);
  });

  it('100 zones added at once all reach both secondaries', async (t) => {
    const names = Array.from({ length: 100 }, (_, i) => `z${i}.bulk.test`);
    const before = rotor.logs.length;
    const started = Date.now();
    await Promise.all(names.map((n, i) => writeFile(join(zonesDir, `${n}.yaml`), smallZone(n, i))));
    const took = await reachBoth(names, 60_000);
    const total = Date.now() - started;
    const versions = rotor.logs.slice(before).filter((l) => l.msg === 'catalog zone updated').length;
    t.diagnostic(`100 zones added at once: on both secondaries ${total} ms after the files were written (rotor served them in ${took.rotor} ms, Knot had them ${took['Knot DNS']} ms later, BIND ${took.BIND} ms after Knot; ${versions} catalog versions)`);
    // Zones that appear together are listed together: a version per 0.1 s of loading at most, not one per zone.
    assert.ok(versions <= Math.ceil(took.rotor / 100) + 1, `${versions} catalog versions in ${took.rotor} ms`);
    await sameAnswers([['z0.bulk.test', 'TXT'], ['www.z99.bulk.test', 'A']]);
  });
});

describe('catalog zone with --workers 2', () => {
  /** The serials `rotor` answers over `times` UDP exchanges, each from a new port: the kernel spreads them over the workers. */
  async function serials(rotor: Rotor, times: number): Promise<Set<number | undefined>> {
    const seen = new Set<number | undefined>();
    for (let i = 0; i < times; i++) seen.add(await servedSerial(rotor, CATALOG));
    return seen;
  }

  it('every worker answers the same serial: the newest time among the files, before and after a change', async () => {
    const T = 1_700_000_000; // in the past: a serial taken from the clock would be far above it
    const zonesDir = await tempDir({ 'a.test.yaml': smallZone('a.test', 1), 'b.test.yaml': smallZone('b.test', 2) });
    const configDir = await tempDir();
    const config = join(configDir, 'rotor.yaml');
    await writeFile(config, `catalog:\n  name: ${CATALOG}\nzone-settings:\n  ${CATALOG}: { allow-query: [127.0.0.1] }\n`);
    for (const path of [join(zonesDir, 'a.test.yaml'), join(zonesDir, 'b.test.yaml'), zonesDir, config]) await utimes(path, T, T);
    const rotor = await startRotor(zonesDir, ['--config', config, '--workers', '2', '--query-log', 'on']);
    try {
      await rotor.waitForLog((l) => l.msg === 'workers ready', STARTUP_MS);
      assert.deepEqual(await serials(rotor, 40), new Set([T]));
      const answeredBy = await manyLogs(rotor, 40, (l) => l.msg === 'query');
      assert.equal(new Set(answeredBy.map((l) => l.worker)).size, 2, 'both workers answered');

      // A file added: each worker sees it on its own, and both take the directory's new time.
      await writeFile(join(zonesDir, 'c.test.yaml'), smallZone('c.test', 3));
      const times = await Promise.all([zonesDir, join(zonesDir, 'c.test.yaml')].map(async (path) => Math.floor((await stat(path)).mtimeMs / 1000)));
      const added = Math.max(...times);
      await manyLogs(rotor, 2, (l) => l.msg === 'catalog zone updated' && l.members === 3);
      assert.deepEqual(await serials(rotor, 40), new Set([added]));
    } finally {
      assert.equal(await rotor.stop(), 0);
      await rm(zonesDir, { recursive: true });
      await rm(configDir, { recursive: true });
    }
  });
});
