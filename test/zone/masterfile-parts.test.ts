// A large master file is read in two parts, the second on another thread
// (load.ts, masterfile.ts parseMasterFileInParts). Whatever the cut, the zone,
// its positions and its diagnostics must be those of reading it whole: here
// every line of each file is tried as the cut, with the part read in-process.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Name } from '../../src/wire/name.js';
import { ZoneLoadError, type Diagnostic } from '../../src/zone/errors.js';
import { checkPart, HELPED_FROM, loadZoneVersion, readPart, type LoadHelper } from '../../src/zone/load.js';
import { versionDigest } from '../../src/zone/digest.js';
import { findCut, parseMasterFile, parseMasterFileInParts, type MasterFileCut } from '../../src/zone/masterfile.js';
import { VersionBuilder, type Built } from '../../src/zone/version-builder.js';
import type { VersionColumns } from '../../src/zone/version.js';

const FILE = '/zones/example.zone';
const ORIGIN = Name.parse('example.');
const TTL = 3600;

/** What a load gives: the version's columns, positions and the order of first writing, or the errors. */
type Outcome = { columns?: VersionColumns; positions?: unknown; written?: Uint32Array; diagnostics: Diagnostic[]; autoSerial: boolean };

function outcome(builder: VersionBuilder, parsed: { diagnostics: Diagnostic[]; autoSerial: boolean }): Outcome {
  if (parsed.diagnostics.some((d) => d.severity === 'error')) return { diagnostics: parsed.diagnostics, autoSerial: parsed.autoSerial };
  let built: Built;
  try {
    built = builder.finish();
  } catch (e) {
    if (!(e instanceof ZoneLoadError)) throw e;
    return { diagnostics: e.diagnostics, autoSerial: parsed.autoSerial };
  }
  const p = built.positions;
  return { columns: built.version.columns, positions: { files: p.files, file: p.file, line: p.line, col: p.col }, written: built.written, diagnostics: built.diagnostics, autoSerial: parsed.autoSerial };
}

const newBuilder = () => new VersionBuilder(ORIGIN, FILE, { serial: 7, ttl: TTL }, 16);

function whole(text: string): Outcome {
  const b = newBuilder();
  return outcome(b, parseMasterFile(text, FILE, ORIGIN, TTL, undefined, (r) => b.add(r, r.pos)));
}

/** How many reads in parts joined the two, rather than leaving the file to be read whole again. */
let joined = 0;

/** The outcome of reading `text` in two parts at `cut`, the part read in-process; undefined where the parts do not join. */
async function inParts(text: string, cut: MasterFileCut): Promise<Outcome | undefined> {
  const octets = Buffer.from(text);
  const b = newBuilder();
  // As the loader asks another thread: names as text, the part as its octets.
  const reply = readPart({ part: octets.subarray(cut.at), file: FILE, origin: ORIGIN.toString(), cut: { line: cut.line, origin: cut.origin.toString(), dollarTtl: cut.dollarTtl }, defaultTtl: TTL });
  const part = Promise.resolve({ outcome: reply.outcome, take: () => b.append(structuredClone(reply.staged)) });
  // Sorted on both sides, as the loader sorts them: the builder merges the two orders.
  const parsed = await parseMasterFileInParts(octets.toString('utf8', 0, cut.at), FILE, ORIGIN, TTL, (r) => b.add(r, r.pos), cut, part, () => b.sortOwners());
  if (!parsed) return undefined;
  joined++;
  return outcome(b, parsed);
}

/** The cut findCut makes from just before each line. */
function everyCut(text: string): MasterFileCut[] {
  const octets = Buffer.from(text);
  const cuts = new Map<number, MasterFileCut>();
  for (let at = octets.indexOf(10); at >= 0; at = octets.indexOf(10, at + 1)) {
    const cut = findCut(octets, ORIGIN, at / octets.length);
    if (cut) cuts.set(cut.at, cut);
  }
  return [...cuts.values()];
}

/** Reads `text` at every cut: where the parts join, the outcome is that of reading it whole. Returns how many joined. */
async function atEveryCut(text: string): Promise<number> {
  const expected = whole(text);
  const cuts = everyCut(text);
  assert.ok(cuts.length >= 3, `cuts: ${cuts.length}`);
  joined = 0;
  for (const cut of cuts) {
    const got = await inParts(text, cut);
    if (got) assert.deepEqual(got, expected, `cut at line ${cut.line}`);
  }
  return joined;
}

const ZONES: Record<string, string> = {
  'plain, with owners written again on both sides and records of one set apart': `$TTL 300
@ IN SOA ns1 hostmaster 1 3600 600 1209600 300
@ IN TXT "the apex again"
a.b IN A 192.0.2.7
A.B IN A 192.0.2.8
  IN NS ns1
  IN NS ns2.Elsewhere.example.
ns1 IN A 192.0.2.1
Mail IN A 192.0.2.2
mail IN AAAA 2001:db8::2
www 60 IN CNAME mail
mail IN MX 10 mail
mail IN MX 10 mail
; a comment line

*.wild IN TXT "star" ( "two"
"strings" )
sub IN NS ns.sub
ns.sub IN A 192.0.2.9
mail IN A 192.0.2.3
`,
  '$ORIGIN and $TTL changed along the way, relative and absolute': `$ORIGIN example.
$TTL 1h
@ SOA ns1 hostmaster 1 3600 600 1209600 300
@ NS ns1
ns1 A 192.0.2.1
$ORIGIN sub
a A 192.0.2.10
$TTL 120 ; minutes
b A 192.0.2.11
$origin Other.example.
c 30 A 192.0.2.12
d TXT "no TTL: $TTL"
$ORIGIN example.
e A 192.0.2.13
`,
  'no $TTL: records take the last TTL written': `@ 100 IN SOA ns1 hostmaster 1 3600 600 1209600 77
@ IN NS ns1
ns1 IN A 192.0.2.1
a 500 IN A 192.0.2.2
b IN A 192.0.2.3
c IN A 192.0.2.4
d 40 IN A 192.0.2.5
e IN A 192.0.2.6
`,
  'no $TTL and no SOA: the last TTL written, or the default': `@ IN NS ns1
ns1 IN A 192.0.2.1
a 500 IN A 192.0.2.2
b IN A 192.0.2.3
`,
  'records the builder refuses, on both sides of any cut': `$TTL 300
@ IN SOA ns1 hostmaster 1 3600 600 1209600 300
@ IN NS ns1
ns1 IN A 192.0.2.1
outside.example.net. IN A 192.0.2.5
c IN CNAME ns1
c IN A 192.0.2.6
e IN SOA ns1 hostmaster 2 3600 600 1209600 300
f IN A 192.0.2.7
`,
  'warnings only: duplicates, TTLs that differ, a CNAME to nowhere': `$TTL 300
@ IN SOA ns1 hostmaster 1 3600 600 1209600 300
@ IN NS ns1
ns1 IN A 192.0.2.1
a IN A 192.0.2.2
a 60 IN A 192.0.2.3
b IN CNAME nowhere
a IN A 192.0.2.2
`,
  'a record in parentheses whose lines start where an owner would': `$TTL 300
@ IN SOA ns1 hostmaster (
1 3600
600
1209600 300 )
@ IN NS ns1
ns1 IN A 192.0.2.1
t IN TXT ( "a"
b
c )
u IN A 192.0.2.4
`,
  'an SOA late in the file': `$TTL 300
@ IN NS ns1
ns1 IN A 192.0.2.1
a IN A 192.0.2.2
@ IN SOA ns1 hostmaster 1 3600 600 1209600 300
b IN A 192.0.2.3
`,
  'non-ASCII text and CRLF line ends': '$TTL 300\r\n@ IN SOA ns1 hostmaster 1 3600 600 1209600 300\r\n@ IN NS ns1\r\nns1 IN A 192.0.2.1\r\nt IN TXT "café ☕"\r\nu IN TXT "naïve"\r\na IN A 192.0.2.2\r\n',
  'CRLF line ends': '$TTL 300\r\n@ IN SOA ns1 hostmaster 1 3600 600 1209600 300\r\n@ IN NS ns1\r\nns1 IN A 192.0.2.1\r\na IN A 192.0.2.2\r\n',
};

describe('a master file read in two parts', () => {
  for (const [what, text] of Object.entries(ZONES)) {
    it(`reads ${what} as it reads it whole, wherever it is cut`, async () => {
      // Not every cut leaves the file to be read whole again: the two parts join at some.
      assert.ok((await atEveryCut(text)) > 0, 'no cut joined the parts');
    });
  }

  it('does not join where the cut cannot know the TTL: an SOA without one made its MINIMUM the $TTL', async () => {
    const text = '@ IN SOA ns1 hostmaster 1 3600 600 1209600 77\n@ IN NS ns1\nns1 IN A 192.0.2.1\na 500 IN A 192.0.2.2\nb IN A 192.0.2.3\n';
    assert.equal(await atEveryCut(text), 0);
  });

  it('does not join where either part has errors, so that they are reported as reading it whole reports them', async () => {
    const text = '$TTL 300\n@ IN SOA ns1 hostmaster 1 3600 600 1209600 300\n@ IN NS ns1\nbad IN A 300.1.1.1\na IN A 192.0.2.1\nb IN A 192.0.2.2\nd IN BOGUS x\n';
    assert.equal(await atEveryCut(text), 0);
  });

  it('does not join an entry in parentheses that runs over the cut', async () => {
    const text = ZONES['a record in parentheses whose lines start where an owner would']!;
    const inside = everyCut(text).filter((c) => text.slice(0, c.at).endsWith('"a"\n') || text.slice(0, c.at).endsWith('b\n'));
    assert.equal(inside.length, 2);
    for (const cut of inside) assert.equal(await inParts(text, cut), undefined);
  });

  it('does not join when the part never comes', async () => {
    const text = ZONES['plain, with owners written again on both sides and records of one set apart']!;
    const octets = Buffer.from(text);
    const cut = findCut(octets, ORIGIN)!;
    const b = newBuilder();
    assert.equal(await parseMasterFileInParts(octets.toString('utf8', 0, cut.at), FILE, ORIGIN, TTL, (r) => b.add(r, r.pos), cut, Promise.resolve(undefined)), undefined);
  });

  it('finds a cut at the start of a line with an owner, and the $ORIGIN and $TTL in force there', () => {
    const text = '$ORIGIN example.\n$TTL 60\n@ SOA ns1 hostmaster 1 3600 600 1209600 300\n$ORIGIN sub\n$TTL 2m ; two minutes\n  A 192.0.2.1\n; note\nx A 192.0.2.2\n';
    const cut = findCut(Buffer.from(text), ORIGIN, 0.5)!;
    assert.equal(text.slice(cut.at, cut.at + 2), 'x ');
    assert.equal(cut.line, 8);
    assert.equal(cut.origin.toString(), 'sub.example.');
    assert.equal(cut.dollarTtl, 120);
  });

  it('does not cut a file that $INCLUDEs, or whose directives it cannot read ahead', () => {
    const owners = 'a A 192.0.2.1\nb A 192.0.2.2\nc A 192.0.2.3\n';
    const cut = (text: string, fraction: number) => findCut(Buffer.from(text), ORIGIN, fraction);
    assert.equal(cut(`${owners}$INCLUDE other.zone\n${owners}`, 0.1), undefined, 'an $INCLUDE after the cut');
    assert.equal(cut(`${owners}$Include other.zone\n${owners}`, 0.1), undefined, 'in any case');
    assert.equal(cut(`$INCLUDE other.zone\n${owners}${owners}`, 0.5), undefined, 'an $INCLUDE before it');
    assert.equal(cut(`$TTL 1x\n${owners}${owners}`, 0.5), undefined);
    assert.equal(cut(`$GENERATE 1-2 h$ A 192.0.2.1\n${owners}${owners}`, 0.5), undefined);
    assert.equal(cut(`${owners}  A 192.0.2.9\n`, 0.9), undefined, 'no owner line after the place asked for');
    assert.ok(cut(`$TTL 1h\n${owners}${owners}`, 0.5));
  });
});

describe('a large zone loaded with a helper', () => {
  /** A file just over HELPED_FROM octets, with a warning every 20,000 lines and `line` at its middle. */
  async function bigFile(dir: string, line = ''): Promise<string> {
    const lines = ['$TTL 300', '@ IN SOA ns1 hostmaster 1 3600 600 1209600 300', '@ IN NS ns1', 'ns1 IN A 192.0.2.1'];
    const count = Math.ceil((HELPED_FROM * 1.05) / 22);
    for (let i = 0; i < count; i++) {
      if (i === count >> 1 && line) lines.push(line);
      else if (i % 20_000 === 0) lines.push(`c${i} IN CNAME nowhere${i}`);
      else lines.push(`h${i} IN A 10.0.${(i >> 8) & 255}.${i & 255}`);
    }
    const file = join(dir, 'example.zone');
    await writeFile(file, lines.join('\n') + '\n');
    return file;
  }

  /** The load's version columns, positions and diagnostics, or its errors. */
  async function load(file: string, helper?: LoadHelper) {
    try {
      const { zone, diagnostics } = await loadZoneVersion(file, { defaultTtl: TTL }, helper);
      // The helper's digest is the one the version has.
      if (zone.digest !== undefined) assert.equal(zone.digest, versionDigest(zone.version, zone.written));
      return { columns: zone.version.columns, line: zone.positions.line, written: zone.written, diagnostics, autoSerial: zone.autoSerial, digest: zone.digest !== undefined };
    } catch (e) {
      if (!(e instanceof ZoneLoadError)) throw e;
      return { errors: e.diagnostics };
    }
  }

  let asked: string[] = [];
  /** The helper's work in-process, what it returns cloned as postMessage would. */
  const here: LoadHelper = {
    readPart: async (req) => {
      asked.push('part');
      return structuredClone(readPart(req));
    },
    check: async (req) => {
      asked.push('check');
      return structuredClone(checkPart(req));
    },
  };
  const gone: LoadHelper = { readPart: async () => undefined, check: async () => undefined };

  it('loads the zone it loads alone, whether the helper answers or not, and when the head has an error', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rotor-parts-'));
    try {
      const file = await bigFile(dir);
      const { digest, ...expected } = await load(file);
      assert.equal(digest, false);
      assert.ok(expected.columns, 'the file loads');
      assert.ok((expected.diagnostics?.length ?? 0) >= 20, 'warnings on both sides of the middle');
      asked = [];
      assert.deepEqual(await load(file, here), { ...expected, digest: true });
      assert.deepEqual(asked, ['part', 'check']);
      assert.deepEqual(await load(file, gone), { ...expected, digest: false });
      const broken = await bigFile(dir, 'bad IN A 300.1.1.1');
      const errors = await load(broken);
      assert.equal(errors.errors?.length, 1);
      assert.deepEqual(await load(broken, here), errors);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
