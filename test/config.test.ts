import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig, parseForward, parseRrl, reloadsLive } from '../src/config.js';
import { dnssecPolicy } from '../src/dnssec/settings.js';
import { Name } from '../src/wire/name.js';
import { tempDir } from './e2e/harness.js';

/** Loads `text` as a rotor.yaml of its own. */
async function load(text: string) {
  const dir = await tempDir({ 'rotor.yaml': text });
  try {
    return await loadConfig(join(dir, 'rotor.yaml'));
  } finally {
    await rm(dir, { recursive: true });
  }
}

describe('forward settings', () => {
  it('reads upstreams, allow-recursion, the timeout and the cache limits', () => {
    const f = parseForward({
      upstreams: ['192.0.2.53:53', '[2001:db8::53]:53'],
      'allow-recursion': ['10.0.0.0/8'],
      'timeout-ms': 800,
      cache: { 'max-entries': 50, 'max-bytes': 1_000_000, 'max-ttl': 600, 'min-ttl': 5 },
    });
    assert.deepEqual(f.upstreams.map((u) => [u.host, u.port, u.family]), [['192.0.2.53', 53, 4], ['2001:db8::53', 53, 6]]);
    assert.deepEqual([f.allowRecursion.allows('10.1.2.3'), f.allowRecursion.allows('127.0.0.1')], [true, false]);
    assert.deepEqual([f.timeoutMs, f.cache], [800, { maxEntries: 50, maxBytes: 1_000_000, maxTtl: 600, minTtl: 5 }]);
  });

  it('allows recursion from this host only unless told otherwise', () => {
    const f = parseForward({ upstreams: '192.0.2.53:53' });
    assert.deepEqual(['127.0.0.1', '::1', '192.0.2.1'].map((a) => f.allowRecursion.allows(a)), [true, true, false]);
    assert.deepEqual(f.cache, { maxEntries: 10_000, maxBytes: 32 * 1024 * 1024, maxTtl: 86_400, minTtl: 0 });
  });

  const bad: [unknown, RegExp][] = [
    [{}, /^forward\.upstreams: at least one ADDR:PORT is needed$/],
    [{ upstreams: ['192.0.2.53'] }, /^forward\.upstreams: "192\.0\.2\.53" is not ADDR:PORT/],
    [{ upstreams: ['192.0.2.53:0'] }, /^forward\.upstreams: an upstream needs its port/],
    [{ upstreams: ['192.0.2.53:53'], 'allow-recursion': ['10.0.0.0/33'] }, /^forward\.allow-recursion: /],
    [{ upstreams: ['192.0.2.53:53'], cache: { 'max-ttl': 10, 'min-ttl': 20 } }, /^forward\.cache: min-ttl 20 is above max-ttl 10$/],
    [{ upstreams: ['192.0.2.53:53'], cache: { size: 10 } }, /^forward\.cache: unknown key "size"/],
    [{ upstreams: ['192.0.2.53:53'], 'timeout-ms': 0 }, /^forward\.timeout-ms: expected an integer from 10 to 30000, got 0$/],
    [{ upstreams: ['192.0.2.53:53'], recursion: true }, /^forward: unknown key "recursion"/],
    ['192.0.2.53:53', /^forward: expected a mapping$/],
  ];
  for (const [value, message] of bad) {
    it(`rejects ${JSON.stringify(value)} in one line`, () => {
      assert.throws(() => parseForward(value), (e: unknown) => e instanceof ConfigError && message.test(e.message) && !e.message.includes('\n'));
    });
  }
});

describe('rrl settings', () => {
  it('is on unless turned off, for every client but this host', async () => {
    const r = (await load('default-ttl: 60\n')).rrl!;
    assert.deepEqual([r.responsesPerSecond, r.nxdomainsPerSecond, r.slip, r.window, r.ipv4PrefixLength, r.ipv6PrefixLength, r.logOnly], [10, 10, 2, 15, 24, 56, false]);
    assert.deepEqual(['127.0.0.1', '127.0.0.3', '::1', '::ffff:127.0.0.1', '192.0.2.1', '2001:db8::1'].map((a) => r.exemptClients!.allows(a)), [true, true, true, true, false, false]);
    assert.equal((await load('rrl: off\n')).rrl, undefined);
  });

  it('off turns it off; on takes the defaults; the per-class rates follow responses-per-second', () => {
    assert.equal(parseRrl('off'), undefined);
    assert.equal(parseRrl(false), undefined);
    assert.equal(parseRrl(true)!.responsesPerSecond, 10);
    assert.equal(parseRrl({ slip: 1 })!.exemptClients!.allows('127.0.0.1'), true, 'this host stays exempt');
    assert.equal(parseRrl({ 'exempt-clients': [] })!.exemptClients!.allows('127.0.0.1'), false, 'exempt-clients replaces the default');
    const r = parseRrl({ 'responses-per-second': 5, 'errors-per-second': 0, slip: 1, 'exempt-clients': ['192.0.2.0/24'], 'log-only': true })!;
    assert.deepEqual([r.responsesPerSecond, r.nxdomainsPerSecond, r.errorsPerSecond, r.slip, r.window, r.ipv4PrefixLength, r.ipv6PrefixLength, r.logOnly, r.maxTableSize], [5, 5, 0, 1, 15, 24, 56, true, 20000]);
    assert.deepEqual([r.exemptClients!.allows('192.0.2.9'), r.exemptClients!.allows('127.0.0.1')], [true, false]);
  });

  const bad: [unknown, RegExp][] = [
    [{ slip: 11 }, /^rrl\.slip: expected an integer from 0 to 10, got 11$/],
    [{ 'responses-per-second': 0 }, /^rrl\.responses-per-second: expected an integer from 1/],
    [{ 'ipv4-prefix-length': 33 }, /^rrl\.ipv4-prefix-length: expected an integer from 0 to 32/],
    [{ 'exempt-clients': ['10.0.0.0/33'] }, /^rrl\.exempt-clients: /],
    [{ 'log-only': 'yes' }, /^rrl\.log-only: expected true or false/],
    [{ rate: 5 }, /^rrl: unknown key "rate"/],
    [5, /^rrl: expected a mapping$/],
  ];
  for (const [value, message] of bad) {
    it(`rejects ${JSON.stringify(value)} in one line`, () => {
      assert.throws(() => parseRrl(value), (e: unknown) => e instanceof ConfigError && message.test(e.message) && !e.message.includes('\n'));
    });
  }
});

describe('metrics listener settings', () => {
  it('reads host names, the live-client cap and buffer; defaults 64 clients and 256 KiB each', async () => {
    assert.deepEqual((await load('default-ttl: 60\n')).monitor, { hosts: [], maxLiveClients: 64, liveClientBuffer: 262_144 });
    const m = (await load('metrics-hosts: [Status.Example.NET., dns-lab]\nmetrics-max-live-clients: 5\nmetrics-live-client-buffer: 4096\n')).monitor;
    assert.deepEqual(m, { hosts: ['status.example.net', 'dns-lab'], maxLiveClients: 5, liveClientBuffer: 4096 });
  });

  const bad: [string, RegExp][] = [
    ['metrics-hosts: status.example.net', /metrics-hosts: expected a list of host names$/],
    ['metrics-hosts: ["a..b"]', /metrics-hosts: empty label/],
    ['metrics-max-live-clients: -1', /metrics-max-live-clients: expected an integer from 0 to 100000, got -1$/],
    ['metrics-live-client-buffer: 10', /metrics-live-client-buffer: expected an integer from 1024 to 67108864, got 10$/],
  ];
  for (const [text, message] of bad) {
    it(`rejects ${text} in one line`, async () => {
      await assert.rejects(load(`${text}\n`), (e: unknown) => e instanceof ConfigError && message.test(e.message) && !e.message.includes('\n'));
    });
  }
});

describe('answer-cache-bytes', () => {
  it('is 32 MiB unless set; 0 turns the memo off', async () => {
    assert.equal((await load('{}')).answerCacheBytes, 32 * 1024 * 1024);
    assert.equal((await load('answer-cache-bytes: 0')).answerCacheBytes, 0);
    assert.equal((await load('answer-cache-bytes: 1000000')).answerCacheBytes, 1_000_000);
  });

  for (const value of ['-1', '1.5', '64M', 'true']) {
    it(`rejects ${value} in one line`, async () => {
      await assert.rejects(load(`answer-cache-bytes: ${value}`), (e: unknown) =>
        e instanceof ConfigError && /answer-cache-bytes: expected an integer from 0 to \d+, got/.test(e.message) && !e.message.includes('\n'));
    });
  }
});

describe('udp-receive-buffer', () => {
  it('is 4 MiB unless set, and takes 64 KiB to 256 MiB', async () => {
    assert.equal((await load('{}')).udpReceiveBuffer, 4 << 20);
    assert.equal((await load('udp-receive-buffer: 1048576')).udpReceiveBuffer, 1 << 20);
    await assert.rejects(load('udp-receive-buffer: 1000'), (e: unknown) =>
      e instanceof ConfigError && /udp-receive-buffer: expected an integer from 65536 to 268435456, got 1000$/.test(e.message));
  });
});

describe('catalog', () => {
  it('reads the name, the members (all by default) and the properties by zone or pattern', async () => {
    const all = await load('catalog: { name: catalog.invalid }\n');
    assert.equal(all.catalog?.name.key, 'catalog.invalid.');
    assert.equal(all.catalog?.members, undefined);
    const c = (await load([
      'catalog:',
      '  name: Catalog.Invalid.',
      '  members: [corp.example, "*.Lab.example"]',
      '  properties:',
      '    "*.lab.example": { group: lab }',
      '    old.example: { coo: new-catalog.invalid }',
      '',
    ].join('\n'))).catalog!;
    assert.deepEqual(c.members, ['corp.example.', '*.lab.example.']);
    assert.deepEqual(c.properties.get('*.lab.example.'), { group: 'lab' });
    assert.equal(c.properties.get('old.example.')?.coo?.key, 'new-catalog.invalid.');
    assert.equal((await load('catalog: { name: c.invalid, members: all }\n')).catalog?.members, undefined);
  });

  const bad: [string, RegExp][] = [
    ['catalog: { members: all }', /:1:\d+: catalog\.name: the catalog zone's name is required/],
    ['catalog: { name: c.invalid, members: some }', /:1:\d+: catalog\.members: expected all or a list/],
    ['catalog: { name: c.invalid, properties: { a.test: { group: "" } } }', /:1:\d+: catalog\.properties\.a\.test\.group: expected a string of 1 to 255 octets/],
    ['catalog: { name: c.invalid, properties: { a.test: { grup: x } } }', /catalog\.properties\.a\.test: unknown key "grup"; did you mean "group"\?/],
    ['catalog: { name: "a..b" }', /catalog\.name: empty label/],
  ];
  for (const [text, message] of bad) {
    it(`rejects ${text} in one line`, async () => {
      await assert.rejects(load(text + '\n'), (e: Error) => e instanceof ConfigError && message.test(e.message) && !e.message.includes('\n'));
    });
  }
});

describe('dnssec', () => {
  const zone = (name: string) => Name.parse(name);

  it('signs no zone without a dnssec: block; with one, every zone, with the defaults and keys beside rotor.yaml', async () => {
    const none = await load('default-ttl: 60\n');
    assert.equal(dnssecPolicy(none.dnssec, zone('example.com.')), undefined);
    const dir = await tempDir({ 'rotor.yaml': 'dnssec: true\n' });
    try {
      const c = await loadConfig(join(dir, 'rotor.yaml'));
      assert.deepEqual(dnssecPolicy(c.dnssec, zone('example.com.')), {
        algorithm: 13, keys: 'csk', denial: 'nsec', nsec3: { iterations: 0, salt: Buffer.alloc(0), optOut: false },
        signatureValidity: 14 * 86400, refresh: 7 * 86400, dnskeyTtl: 3600, keyDirectory: join(dir, 'keys'),
      });
      assert.deepEqual(c.warnings, []);
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it('a zone: entry or zone-settings overrides the global block field by field; dnssec: false turns a zone off', async () => {
    const c = await load([
      'dnssec:',
      '  algorithm: ed25519',
      '  denial: nsec3',
      '  nsec3: { opt-out: true }',
      '  signature-validity: 3w',
      '  key-directory: /var/lib/rotor/keys',
      'zone:',
      '  - name: a.example',
      '    file: a.zone',
      '    dnssec: { keys: ksk+zsk, refresh: 2d, nsec3: { iterations: 0 } }',
      '  - name: off.example',
      '    file: off.zone',
      '    dnssec: false',
      'zone-settings:',
      '  b.example: { allow-query: [127.0.0.1], dnssec: { algorithm: RSASHA256, dnskey-ttl: 1h } }',
    ].join('\n') + '\n');
    const a = dnssecPolicy(c.dnssec, zone('a.example.'))!;
    assert.deepEqual([a.algorithm, a.keys, a.denial, a.nsec3.optOut, a.nsec3.iterations, a.signatureValidity, a.refresh, a.keyDirectory], [15, 'ksk+zsk', 'nsec3', true, 0, 21 * 86400, 2 * 86400, '/var/lib/rotor/keys']);
    const b = dnssecPolicy(c.dnssec, zone('b.example.'))!;
    assert.deepEqual([b.algorithm, b.keys, b.dnskeyTtl, b.signatureValidity], [8, 'csk', 3600, 21 * 86400]);
    assert.equal(dnssecPolicy(c.dnssec, zone('off.example.')), undefined);
    assert.equal(dnssecPolicy(c.dnssec, zone('other.example.'))!.algorithm, 15);
    // The zone's transfer settings are still read beside its dnssec block.
    assert.equal(c.transfer.zones.get(zone('b.example.').key)?.allowQuery?.allows('127.0.0.1'), true);
  });

  it('signs only the zones with their own block when there is no global one', async () => {
    const c = await load('zone:\n  - name: a.example\n    file: a.zone\n    dnssec: true\n');
    assert.equal(dnssecPolicy(c.dnssec, zone('a.example.'))!.keys, 'csk');
    assert.equal(dnssecPolicy(c.dnssec, zone('b.example.')), undefined);
  });

  it('warns at file:line:col for NSEC3 iterations above 0 and a salt (RFC 9276)', async () => {
    const c = await load('dnssec:\n  denial: nsec3\n  nsec3:\n    iterations: 10\n    salt: "ABCD"\n');
    assert.equal(c.warnings.length, 2);
    assert.match(c.warnings[0]!, /rotor\.yaml:4:17: dnssec\.nsec3\.iterations: 10 extra iterations cost every validator and hide nothing \(RFC 9276 §3\.1: use 0\)$/);
    assert.match(c.warnings[1]!, /rotor\.yaml:5:11: dnssec\.nsec3\.salt: a salt adds nothing against zone walking \(RFC 9276 §3\.1: use ""\)$/);
  });

  it('is changed by a reload', () => {
    assert.equal(reloadsLive('dnssec'), true);
  });

  const bad: [string, RegExp][] = [
    ['dnssec:\n  algoritm: ed25519\n', /rotor\.yaml:2:3: dnssec: unknown key "algoritm"; did you mean "algorithm"\?$/],
    ['dnssec:\n  algorithm: ed2519\n', /rotor\.yaml:2:14: dnssec\.algorithm: expected ecdsap256sha256, ed25519, rsasha256, got "ed2519"; did you mean "ed25519"\?$/],
    ['dnssec:\n  keys: zsk\n', /rotor\.yaml:2:9: dnssec\.keys: expected csk, ksk\+zsk, got "zsk"/],
    ['dnssec:\n  denial: nsce3\n', /rotor\.yaml:2:11: dnssec\.denial: expected nsec, nsec3, got "nsce3"; did you mean "nsec3"\?$/],
    ['dnssec:\n  signature-validity: 2 weeks\n', /rotor\.yaml:2:23: dnssec\.signature-validity: expected a duration such as 14d, 12h or 3600 \(seconds\), at least 2 s, got "2 weeks"$/],
    ['dnssec:\n  nsec3: { iterations: 151 }\n', /rotor\.yaml:2:24: dnssec\.nsec3\.iterations: expected an integer from 0 to 150 \(validators treat more as insecure; RFC 9276 says 0\), got 151$/],
    ['dnssec:\n  nsec3: { salt: 12 }\n', /rotor\.yaml:2:18: dnssec\.nsec3\.salt: expected hex digits in quotes/],
    ['dnssec:\n  refresh: 14d\n', /rotor\.yaml:2:3: dnssec: refresh \(1209600 s\) must be less than signature-validity \(1209600 s\), or signatures expire before they are made again$/],
    ['dnssec:\n  signature-validity: 10d\nzone:\n  - name: a.example\n    file: a.zone\n    dnssec: { refresh: 10d }\n', /rotor\.yaml:6:13: zone\[0\]\.dnssec: refresh \(864000 s\) must be less than signature-validity \(864000 s\)/],
    ['zone-settings:\n  a.example:\n    dnssec: { nsec3: { opt_out: true } }\n', /rotor\.yaml:3:24: zone-settings\.a\.example\.dnssec\.nsec3: unknown key "opt_out"; did you mean "opt-out"\?$/],
  ];
  for (const [text, message] of bad) {
    it(`rejects ${JSON.stringify(text)} at its place, in one line`, async () => {
      await assert.rejects(load(text), (e: unknown) => e instanceof ConfigError && message.test(e.message) && !e.message.includes('\n'));
    });
  }
});
