// Zones as octoDNS writes them (test/fixtures/octodns, README there): its own
// fixture unit.tests.yaml unchanged, and the types it lacks in the same layout.
// Each loads with only the warnings expected; every RRset is served as the file
// says (asked in-process of a server built as `rotor serve` builds it, with a
// stand-in upstream for the ALIAS's target); and `rotor convert` round-trips
// both: YAML → master file (which named-checkzone accepts) → YAML.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { parseMessage } from '../../src/message/message.js';
import { parseAcl } from '../../src/net/acl.js';
import { presentation } from '../../src/rrtypes/registry.js';
import { Name } from '../../src/wire/name.js';
import { typeFromName, typeName } from '../../src/wire/types.js';
import { formatDiagnostic } from '../../src/zone/errors.js';
import { toMasterFile, toYaml } from '../../src/zone/export.js';
import { parseMasterFile } from '../../src/zone/masterfile.js';
import { parseYamlZone } from '../../src/zone/yaml.js';
import { buildZone } from '../../src/zone/build-zone.js';
import type { Zone } from '../../src/zone/zone.js';
import { REPO, tempDir } from '../e2e/harness.js';
import { startHandler, type Handler } from '../query/answers/handler.js';
import { answerWith, fakeUpstreams } from '../resolver/fake-upstream.js';

const DIR = join(REPO, 'test', 'fixtures', 'octodns');

/** What the files say, RRset by RRset: "owner TYPE" → "ttl data" of each record. */
const UNIT: Record<string, string[]> = {
  'unit.tests. A': ['300 1.2.3.4', '300 1.2.3.5'],
  'unit.tests. SSHFP': ['3600 1 1 BF6B6825D2977C511A475BBEFB88AAD54A92AC73', '3600 1 1 7491973E5F8B39D5327CD4E08BC81B05F7710B49'],
  'unit.tests. NS': ['3600 6.2.3.4.', '3600 7.2.3.4.'],
  'unit.tests. CAA': ['3600 0 issue "ca.unit.tests"'],
  '_imap._tcp.unit.tests. SRV': ['600 0 0 0 .'],
  '_pop3._tcp.unit.tests. SRV': ['600 0 0 0 .'],
  '_srv._tcp.unit.tests. SRV': ['600 12 20 30 foo-2.unit.tests.', '600 10 20 30 foo-1.unit.tests.'],
  'aaaa.unit.tests. AAAA': ['600 2601:644:500:e210:62f8:1dff:feb8:947a'],
  'cname.unit.tests. CNAME': ['300 unit.tests.'],
  'dname.unit.tests. DNAME': ['300 unit.tests.'],
  'excluded.unit.tests. CNAME': ['3600 unit.tests.'],
  'ignored.unit.tests. A': ['3600 9.9.9.9'],
  'included.unit.tests. CNAME': ['3600 unit.tests.'],
  'loc.unit.tests. LOC': ['300 31 58 52.100 S 115 49 11.700 E 20.00m 10m 10m 2m', '300 53 13 10.000 N 2 18 26.000 W 20.00m 10m 1000m 2m'],
  'mx.unit.tests. MX': ['300 40 smtp-1.unit.tests.', '300 20 smtp-2.unit.tests.', '300 30 smtp-3.unit.tests.', '300 10 smtp-4.unit.tests.'],
  'naptr.unit.tests. NAPTR': ['600 100 100 "U" "SIP+D2U" "!^.*$!sip:info@bar.example.com!" .', '600 10 100 "S" "SIP+D2U" "!^.*$!sip:info@bar.example.com!" .'],
  'ptr.unit.tests. PTR': ['300 foo.bar.com.'],
  'spf.unit.tests. SPF': ['600 "v=spf1 ip4:192.168.0.1/16-all"'],
  // Delegations: the NS sets come back in referrals.
  'sub.unit.tests. NS': ['3600 6.2.3.4.', '3600 7.2.3.4.'],
  'sub.txt.unit.tests. NS': ['3600 ns1.test.', '3600 ns2.test.'],
  'subzone.unit.tests. NS': ['3600 192.0.2.1.', '3600 192.0.2.8.'],
  'txt.unit.tests. TXT': ['600 "Bah bah black sheep"', '600 "have you any wool."', '600 "v=DKIM1;k=rsa;s=email;h=sha256;p=A/kinda+of/long/string+with+numb3rs"'],
  'www.unit.tests. A': ['300 2.2.3.6'],
  // URLFWD is not DNS data; www.sub is below the delegation sub (octoDNS writes it, no server answers it).
  'urlfwd.unit.tests. A': [],
  'www.sub.unit.tests. A': [],
};

const TYPES: Record<string, string[]> = {
  // foo.bar.com.'s addresses, from the stand-in upstream (TTL 60 < the ALIAS's 600).
  'types.tests. A': ['60 192.0.2.80'],
  'types.tests. NS': ['3600 ns1.types.tests.'],
  '_443._tcp.types.tests. TLSA': ['600 1 1 0 ABABABABABABABABAB', '600 2 0 0 ABABABABABABABABAC'],
  'https.types.tests. HTTPS': ['300 1 foo.example.com. alpn="h2,h3" port=8080', '300 2 . ipv4hint=192.0.2.1'],
  'openpgpkey.types.tests. OPENPGPKEY': ['42 a2V5YmFzZTY0'],
  // DS at a delegation point is the parent's: both octoDNS shapes, the deprecated one as key_tag, algorithm, digest_type, digest.
  'sub.types.tests. DS': ['3600 1234 8 2 2BB183AF5F22588179A53B0A98631FAD1A292118D1C9A3B1B5C5D9E6 F7A8B9C0', '3600 60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118'],
  '_ftp._tcp.types.tests. URI': ['300 10 1 "ftp://ftp1.example.com/public"', '300 10 2 "https://www.example.com/"'],
  'svcb.types.tests. SVCB': ['300 1 foo.example.com. port=8002', '300 2 foo.example.net. alpn="h2" no-default-alpn port=8080'],
};

function load(file: string): { zone: Zone; warnings: string[] } {
  const origin = Name.parse(file.replace(/\.yaml$/, '.'));
  const parsed = parseYamlZone(readFileSync(join(DIR, file), 'utf8'), file, origin, 3600);
  const built = buildZone(origin, file, parsed.records, { serial: 1, ttl: 3600 });
  const all = [...parsed.diagnostics, ...built.diagnostics];
  assert.deepEqual(all.filter((d) => d.severity === 'error').map(formatDiagnostic), [], `${file} loads`);
  return { zone: built.zone, warnings: all.map((d) => `${d.pos.line}:${d.pos.col} ${d.message}`) };
}

/** Every record of a zone as "owner ttl TYPE data". */
function recordsOf(zone: Zone): string[] {
  const out: string[] = [];
  for (const set of zone.rrsets()) for (const rd of set.rdata) out.push(`${set.owner} ${set.ttl} ${typeName(set.type)} ${presentation(set.type, rd)}`);
  return out.sort();
}

describe('zones written by octoDNS', () => {
  const start = fakeUpstreams();
  let handler: Handler;
  before(async () => {
    const upstream = await start((q) => [answerWith(q, ['192.0.2.80'])]);
    handler = await startHandler(DIR, true, {
      forward: { upstreams: [upstream.address], allowRecursion: parseAcl([]), timeoutMs: 500, cache: { maxEntries: 10, maxBytes: 1 << 20, maxTtl: 3600, minTtl: 0 } },
    });
  });
  after(() => handler.close());

  it('load, with a warning for each thing rotor does not do as octoDNS providers would', () => {
    const unit = load('unit.tests.yaml').warnings.filter((w) => !/has no A or AAAA record in the zone/.test(w));
    assert.deepEqual(unit, [
      '4:7 octoDNS "geo" routing is for providers that answer by the client\'s location or pools: rotor serves the record\'s values to every client',
      '184:9 URLFWD is an HTTP redirect some octoDNS providers run, not DNS data: not served',
      '203:10 A at www.sub.unit.tests. is below the delegation sub.unit.tests. and is never served (occluded)',
    ]);
    assert.deepEqual(load('types.tests.yaml').warnings, [
      '54:5 DS fields flags, protocol, algorithm, public_key are deprecated (octoDNS reads them as key_tag, algorithm, digest_type, digest until 2.0): write those names',
    ]);
  });

  for (const [title, expected] of [['unit.tests.yaml', UNIT], ['types.tests.yaml', TYPES]] as const) {
    it(`${title}: every RRset is served as the file says`, async () => {
      for (const [key, records] of Object.entries(expected)) {
        const [owner, type] = key.split(' ') as [string, string];
        const code = typeFromName(type)!;
        const msg = parseMessage(await handler.ask({ name: owner, type: code }));
        const got = [...msg.answer, ...msg.authority]
          .filter((r) => r.type === code && r.owner.toString().toLowerCase() === owner)
          .map((r) => `${r.ttl} ${presentation(r.type, r.rdata)}`);
        assert.deepEqual(got.sort(), [...records].sort(), key);
      }
    });
  }

  it('round-trip through rotor convert: YAML → master file (named-checkzone accepts it) → YAML', async () => {
    for (const file of ['unit.tests.yaml', 'types.tests.yaml']) {
      const { zone } = load(file);
      const origin = zone.origin;
      const master = toMasterFile(zone);
      const dir = await tempDir();
      await writeFile(join(dir, 'z.zone'), master);
      await promisify(execFile)('named-checkzone', ['-q', origin.toString(), join(dir, 'z.zone')]);
      const fromMaster = parseMasterFile(master, 'z.zone', origin, 3600, () => '');
      assert.deepEqual(fromMaster.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic), []);
      const again = buildZone(origin, 'z.zone', fromMaster.records, { serial: 1, ttl: 3600 }).zone;
      assert.deepEqual(recordsOf(again), recordsOf(zone), `${file} → master file`);
      const { text, unconverted } = toYaml(again);
      assert.deepEqual(unconverted, []);
      const back = parseYamlZone(text, 'back.yaml', origin, 3600);
      assert.deepEqual(back.diagnostics.map(formatDiagnostic), []);
      assert.deepEqual(recordsOf(buildZone(origin, 'back.yaml', back.records, { serial: 1, ttl: 3600 }).zone), recordsOf(zone), `${file} → YAML`);
    }
  });
});
