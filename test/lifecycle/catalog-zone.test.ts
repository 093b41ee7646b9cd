// The catalog zone (RFC 9432) as rotor writes it: its records, its members'
// labels, and its versions as zone files come and go, in this process (the
// real consumers, Knot and BIND, are in test/e2e/catalog.test.ts).
import assert from 'node:assert/strict';
import { rename, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildCatalogZone, catalogSerial, isMember, memberLabel, membersOf, propertiesOf, type CatalogSettings } from '../../src/lifecycle/catalog-zone.js';
import { createLogger } from '../../src/log.js';
import { presentation } from '../../src/rrtypes/registry.js';
import { DnsServer, type ServerOptions } from '../../src/server/server.js';
import { changesSince } from '../../src/transfer/journal.js';
import { changeRecords } from '../../src/zone/changeset.js';
import { defaultTransferSettings } from '../../src/transfer/settings.js';
import { parseAcl } from '../../src/net/acl.js';
import { Name } from '../../src/wire/name.js';
import { typeName } from '../../src/wire/types.js';
import type { Zone, ZoneRecord } from '../../src/zone/zone.js';
import { tempDir } from '../e2e/harness.js';
import { makeQuery } from '../e2e/raw.js';

const CATALOG = Name.parse('catalog.invalid.');
const settings = (more: Partial<CatalogSettings> = {}): CatalogSettings => ({ name: CATALOG, properties: new Map(), ...more });
const zoneText = (n: number) => `'':\n  type: NS\n  value: ns.elsewhere.test.\nwww:\n  type: A\n  value: 192.0.2.${n}\n`;

/** Every record as "owner TYPE data", the SOA's serial left out. */
function lines(records: Iterable<ZoneRecord>): string[] {
  return [...records].map((r) => `${r.owner} ${typeName(r.type)} ${presentation(r.type, r.rdata)}`.replace(/^(\S+ SOA \S+ \S+) \d+/, '$1 SERIAL')).sort();
}

/** The members a version of the catalog zone lists: member name → label. */
function listed(zone: Zone): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of zone.records()) {
    const m = /^([^.]+)\.zones\.catalog\.invalid\.$/.exec(r.owner.toString());
    if (m && typeName(r.type) === 'PTR') out.set(presentation(r.type, r.rdata), m[1]!);
  }
  return out;
}

describe('member labels', () => {
  it('are one DNS label of 16 base32hex characters, the same for the same name in any case', () => {
    const label = memberLabel(Name.parse('Corp.Example.'));
    assert.match(label, /^[0-9a-v]{16}$/);
    assert.equal(memberLabel(Name.parse('corp.example.')), label);
    assert.notEqual(memberLabel(Name.parse('corp.example.net.')), label);
  });

  it('differ for 10,000 names', () => {
    const labels = new Set(Array.from({ length: 10_000 }, (_, i) => memberLabel(Name.parse(`z${i}.example.`))));
    assert.equal(labels.size, 10_000);
  });

  it('depend on the member alone, not on the others', () => {
    const zones = ['a.test.', 'b.test.', 'c.test.'].map((n) => ({ origin: Name.parse(n) }) as Zone);
    const all = membersOf(settings(), zones);
    const some = membersOf(settings(), zones.slice(1));
    assert.deepEqual(some, all.slice(1));
  });
});

describe('members and their properties', () => {
  const s = settings({
    members: ['corp.example.', '*.lab.example.'],
    properties: new Map([
      ['*.lab.example.', { group: 'lab' }],
      ['*.deep.lab.example.', { group: 'deep' }],
      ['x.deep.lab.example.', { group: 'x', coo: Name.parse('other.invalid.') }],
    ]),
  });
  const name = (n: string) => Name.parse(n);

  it('are the zones named or below a *. pattern, never the catalog itself', () => {
    assert.deepEqual(['corp.example.', 'a.lab.example.', 'lab.example.', 'other.example.', 'catalog.invalid.'].map((n) => isMember(s, name(n))), [true, true, false, false, false]);
    assert.equal(isMember(settings(), CATALOG), false);
    assert.equal(isMember(settings(), name('anything.test.')), true);
  });

  it('take the properties of the exact name, else of the longest pattern', () => {
    assert.deepEqual(propertiesOf(s, name('a.lab.example.')), { group: 'lab' });
    assert.deepEqual(propertiesOf(s, name('y.deep.lab.example.')), { group: 'deep' });
    assert.deepEqual(propertiesOf(s, name('x.deep.lab.example.')).group, 'x');
    assert.deepEqual(propertiesOf(s, name('corp.example.')), {});
  });
});

describe('the catalog zone', () => {
  it('holds an SOA and NS at invalid., version "2", a PTR per member and its properties', () => {
    const members = membersOf(settings({ properties: new Map([['corp.example.', { group: 'corp', coo: Name.parse('new.invalid.') }]]) }),
      ['corp.example.', 'lab.test.'].map((n) => ({ origin: Name.parse(n) }) as Zone));
    const zone = buildCatalogZone(CATALOG, members, 1234);
    const [corp, lab] = [memberLabel(Name.parse('corp.example.')), memberLabel(Name.parse('lab.test.'))];
    assert.equal(zone.serial, 1234);
    assert.deepEqual(lines(zone.records()), [
      'catalog.invalid. NS invalid.',
      'catalog.invalid. SOA invalid. invalid. SERIAL 3600 600 2147483646 0',
      `${corp}.zones.catalog.invalid. PTR corp.example.`,
      `${lab}.zones.catalog.invalid. PTR lab.test.`,
      `coo.${corp}.zones.catalog.invalid. PTR new.invalid.`,
      `group.${corp}.zones.catalog.invalid. TXT "corp"`,
      'version.catalog.invalid. TXT "2"',
    ].sort());
    assert.ok([...zone.rrsets()].every((s) => s.ttl === 0));
  });
});

describe('the catalog zone of a running server', () => {
  const servers: DnsServer[] = [];
  after(async () => { for (const s of servers) await s.close(0); });

  const optionsOf = (dir: string, more: Partial<ServerOptions> = {}): ServerOptions => ({
    listen: [], zonesDir: dir, defaultTtl: 3600, tcpIdleTimeoutMs: 1000, rotation: { policy: 'fixed' as const, zones: new Map(), overrides: [] },
    transfer: { ...defaultTransferSettings(), defaults: { ...defaultTransferSettings().defaults, allowTransfer: parseAcl(['127.0.0.1']) } },
    catalog: settings(), sendNotify: false, logger: createLogger('silent'), ...more,
  });

  async function serve(dir: string, more: Partial<ServerOptions> = {}): Promise<DnsServer> {
    const server = new DnsServer(optionsOf(dir, more));
    servers.push(server);
    await server.loadZones();
    return server;
  }
  const catalogOf = (s: DnsServer) => s.catalog.get(CATALOG.key)!;

  it('lists every zone served, with the same labels after a restart', async () => {
    const dir = await tempDir({ 'a.test.yaml': zoneText(1), 'b.test.yaml': zoneText(2) });
    const first = catalogOf(await serve(dir));
    assert.deepEqual([...listed(first).keys()].sort(), ['a.test.', 'b.test.']);
    const again = catalogOf(await serve(dir));
    assert.deepEqual(listed(again), listed(first));
    await rm(dir, { recursive: true });
  });

  it('a zone added joins with a higher serial and an IXFR change; a zone removed leaves in the step its file goes', async () => {
    const dir = await tempDir({ 'a.test.yaml': zoneText(1) });
    const server = await serve(dir);
    const v1 = catalogOf(server);

    await writeFile(join(dir, 'new.test.yaml'), zoneText(3));
    await server.zones.reload(join(dir, 'new.test.yaml'));
    assert.ok(server.catalog.get('new.test.'), 'served');
    await sleep(300); // the catalog gathers zones that appear together
    const v2 = catalogOf(server);
    assert.ok(v2.serial > v1.serial, `${v2.serial} after ${v1.serial}`);
    assert.deepEqual([...listed(v2).keys()].sort(), ['a.test.', 'new.test.']);
    const chain = changesSince(v2, v1.serial)!;
    assert.equal(chain.length, 1);
    assert.deepEqual(lines(changeRecords(chain[0]!.added)), [`${memberLabel(Name.parse('new.test.'))}.zones.catalog.invalid. PTR new.test.`]);
    assert.equal(chain[0]!.removed.length, 0);

    // Reloading a member that did not change makes no version.
    await server.zones.reload(join(dir, 'a.test.yaml'));
    await sleep(200);
    assert.equal(catalogOf(server), v2);

    let listedWhenRemoved: string[] | undefined;
    server.events.once('removed', () => { listedWhenRemoved = [...listed(catalogOf(server)).keys()]; });
    await rm(join(dir, 'new.test.yaml'));
    await server.zones.reload(join(dir, 'new.test.yaml'));
    assert.deepEqual(listedWhenRemoved, ['a.test.'], 'the catalog no longer lists it when its removal is announced');
    assert.ok(catalogOf(server).serial > v2.serial);
    await rm(dir, { recursive: true });
  });

  // Times set by hand, in seconds: what the serial must be is then known, whatever the clock says.
  const T = 1_800_000_000;
  const touch = (path: string, seconds: number) => utimes(path, seconds, seconds);

  it('has the same serial in two servers over the same files (workers), the newest time among them', async () => {
    const dir = await tempDir({ 'a.test.yaml': zoneText(1), 'b.test.yaml': zoneText(2) });
    const elsewhere = await tempDir({ 'listed.yaml': zoneText(3) });
    const config = join(elsewhere, 'rotor.yaml');
    await writeFile(config, '# only its time counts\n');
    const listedFile = join(elsewhere, 'listed.yaml');
    await touch(join(dir, 'a.test.yaml'), T + 5);
    await touch(join(dir, 'b.test.yaml'), T + 2);
    await touch(listedFile, T + 7);
    await touch(config, T + 1);
    await touch(elsewhere, T + 3);
    await touch(dir, T);
    const more = { zoneList: [{ origin: Name.parse('listed.test.'), file: listedFile }], configFile: config };
    const workers = [await serve(dir, more), await serve(dir, more)];
    assert.deepEqual(workers.map((w) => catalogOf(w).serial), [T + 7, T + 7]);
    assert.deepEqual([...listed(catalogOf(workers[0]!)).keys()].sort(), ['a.test.', 'b.test.', 'listed.test.']);

    // A file added: the directory's time moves, as the kernel moves it on every new name.
    await writeFile(join(dir, 'c.test.yaml'), zoneText(4));
    await touch(join(dir, 'c.test.yaml'), T + 4);
    await touch(dir, T + 20);
    for (const w of workers) {
      await w.zones.reload(join(dir, 'c.test.yaml'));
      w.catalogZone.update();
    }
    assert.deepEqual(workers.map((w) => catalogOf(w).serial), [T + 20, T + 20]);

    // Removed within the same second: no time moves past the serial, so it is one more, in both.
    await rm(join(dir, 'c.test.yaml'));
    await touch(dir, T + 20);
    for (const w of workers) await w.zones.reload(join(dir, 'c.test.yaml'));
    assert.deepEqual(workers.map((w) => catalogOf(w).serial), [T + 21, T + 21]);

    // A property changed in rotor.yaml: its time counts after the reload.
    await touch(config, T + 30);
    for (const w of workers) await w.reconfigure({ ...optionsOf(dir, more), catalog: settings({ properties: new Map([['a.test.', { group: 'g' }]]) }) });
    assert.deepEqual(workers.map((w) => catalogOf(w).serial), [T + 30, T + 30]);
    await rm(dir, { recursive: true });
    await rm(elsewhere, { recursive: true });
  });

  it('does not go backwards after a restart: the times are still there', async () => {
    const dir = await tempDir({ 'a.test.yaml': zoneText(1) });
    await touch(join(dir, 'a.test.yaml'), T + 10);
    await touch(dir, T);
    const before = await serve(dir);
    await writeFile(join(dir, 'b.test.yaml'), zoneText(2));
    await touch(join(dir, 'b.test.yaml'), T + 3);
    await touch(dir, T + 40);
    await before.zones.reload(join(dir, 'b.test.yaml'));
    before.catalogZone.update();
    const last = catalogOf(before).serial;
    assert.equal(last, T + 40);
    await before.close(0);

    const restarted = catalogOf(await serve(dir));
    assert.equal(restarted.serial, last, 'the same files, the same serial');
    assert.deepEqual(lines(restarted.records()), lines(catalogOf(before).records()));

    // A file removed while it was stopped: the directory's time says so.
    await rm(join(dir, 'b.test.yaml'));
    await touch(dir, T + 50);
    assert.equal(catalogOf(await serve(dir)).serial, T + 50);
    await rm(dir, { recursive: true });
  });

  it('counts a member file fixed in place, which changes no directory', async () => {
    const dir = await tempDir({ 'a.test.yaml': zoneText(1), 'b.test.yaml': 'www: [broken\n' });
    await touch(join(dir, 'a.test.yaml'), T + 1);
    await touch(join(dir, 'b.test.yaml'), T + 2);
    await touch(dir, T);
    const server = await serve(dir);
    assert.deepEqual([...listed(catalogOf(server)).keys()], ['a.test.']);
    assert.equal(catalogOf(server).serial, T + 1, 'a file that serves no member does not count');
    await writeFile(join(dir, 'b.test.yaml'), zoneText(2));
    await touch(join(dir, 'b.test.yaml'), T + 60);
    await touch(dir, T);
    await server.zones.reload(join(dir, 'b.test.yaml'));
    server.catalogZone.update();
    assert.deepEqual([...listed(catalogOf(server)).keys()].sort(), ['a.test.', 'b.test.']);
    assert.equal(catalogOf(server).serial, T + 60);
    await rm(dir, { recursive: true });
  });

  it('takes one more than the previous serial when no time is past it, with serial arithmetic (RFC 1982)', () => {
    assert.equal(catalogSerial(T + 5, T), T + 5);
    assert.equal(catalogSerial(T, T), T + 1);
    assert.equal(catalogSerial(T - 100, T), T + 1);
    assert.equal(catalogSerial(T, undefined), T);
    assert.equal(catalogSerial(3, 0xffffffff), 3, 'past the wrap');
    assert.equal(catalogSerial(0xfffffff0, 5), 6, 'behind across the wrap');
    assert.equal(catalogSerial(0xfffffff0, 0xffffffff), 0, 'one more wraps');
    assert.ok(Math.abs(catalogSerial(undefined, undefined) - Date.now() / 1000) < 5, 'the clock when no file can be read');
  });

  it('a zone renamed away and back keeps its label', async () => {
    const dir = await tempDir({ 'a.test.yaml': zoneText(1) });
    const server = await serve(dir);
    const label = listed(catalogOf(server)).get('a.test.');
    await rename(join(dir, 'a.test.yaml'), join(dir, 'a.test.zone.bak'));
    await server.zones.reload(join(dir, 'a.test.yaml'));
    assert.equal(listed(catalogOf(server)).size, 0);
    await writeFile(join(dir, 'a.test.zone'), '@ NS ns.elsewhere.test.\nwww A 192.0.2.1\n');
    await server.zones.reload(join(dir, 'a.test.zone'));
    server.catalogZone.update();
    assert.equal(listed(catalogOf(server)).get('a.test.'), label);
    await rm(dir, { recursive: true });
  });

  it('answers queries to it only from who may transfer it, or its own allow-query', async () => {
    const dir = await tempDir({ 'a.test.yaml': zoneText(1) });
    const server = await serve(dir);
    const rcode = async (client: string, name = 'catalog.invalid') => {
      const reply = await server.handle(makeQuery(name, 6), { transport: 'udp', client: { address: client, port: 5353 } });
      return (reply as Buffer).readUInt16BE(2) & 0xf;
    };
    assert.deepEqual([await rcode('127.0.0.1'), await rcode('192.0.2.1'), await rcode('192.0.2.1', 'a.test')], [0, 5, 0]);
    const transfer = { ...defaultTransferSettings(), zones: new Map([[CATALOG.key, { allowQuery: parseAcl(['192.0.2.0/24']) }]]) };
    await server.reconfigure({ ...optionsOf(dir), transfer });
    assert.deepEqual([await rcode('127.0.0.1'), await rcode('192.0.2.1')], [5, 0]);
    await rm(dir, { recursive: true });
  });

  it('follows a reload of rotor.yaml: a new name replaces the old catalog zone', async () => {
    const dir = await tempDir({ 'a.test.yaml': zoneText(1) });
    const server = await serve(dir);
    await server.reconfigure({ ...optionsOf(dir), catalog: { name: Name.parse('other.invalid.'), properties: new Map() } });
    assert.equal(server.catalog.get(CATALOG.key), undefined);
    assert.deepEqual([...server.catalog.get('other.invalid.')!.records()].filter((r) => typeName(r.type) === 'PTR').map((r) => presentation(r.type, r.rdata)), ['a.test.']);
    await server.reconfigure({ ...optionsOf(dir), catalog: undefined });
    assert.equal(server.catalog.get('other.invalid.'), undefined);
    assert.equal(server.catalog.size, 1);
    await rm(dir, { recursive: true });
  });

  it('refuses a zone file that would serve the catalog zone', async () => {
    const dir = await tempDir({ 'catalog.invalid.yaml': zoneText(1) });
    const server = await serve(dir);
    assert.match(server.zones.failing.get(join(dir, 'catalog.invalid.yaml'))?.[0]?.message ?? '', /is the catalog zone rotor writes/);
    assert.equal(catalogOf(server).file, 'rotor.yaml catalog:');
    await rm(dir, { recursive: true });
  });
});
