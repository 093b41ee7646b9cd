// Dynamic updates (RFC 2136), end to end: an UPDATE is checked (the zone, the
// key's grants), queued behind the zone's other updates, evaluated against the
// version served once any reload of its file has finished, carried into the
// zone's source file(s), checked by loading the edited text, written (a
// temporary file, fsynced, renamed over the original), and loaded by the
// ordinary reload path, which makes the new version, raises the serial, fills
// the IXFR journal and sends NOTIFY. The answer goes out once the new version
// is served.
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Catalog } from '../lifecycle/catalog.js';
import { fileStamp, type ZoneFiles } from '../lifecycle/zones.js';
import type { EventLog } from '../log.js';
import { canonicalRData } from '../rrtypes/registry.js';
import { withSoaSerial } from '../rrtypes/soa.js';
import type { TsigKey } from '../wire/tsig.js';
import { Rcode, RRClass, RRType, typeName } from '../wire/types.js';
import { isYamlZone, parseZoneText, type LoadOptions } from '../zone/load.js';
import { buildZone } from '../zone/build-zone.js';
import type { Zone, ZoneRecord } from '../zone/zone.js';
import type { ParsedRecord } from '../zone/records.js';
import type { Name } from '../wire/name.js';
import { applyUpdates, checkPrerequisites, prescan, type RRsetChange } from './changes.js';
import { editMasterFiles } from './edit-master.js';
import { editYamlZone } from './edit-yaml.js';
import { denied, type Grant } from '../transfer/update-policy.js';
import { parseUpdate, UpdateFormatError, type UpdateRequest } from './request.js';

export interface UpdateResult {
  rcode: number;
  /** Why it was not applied, for the client's extended error and the log. */
  reason?: string;
  zone?: Zone;
}

/** Updates waiting for one zone: their number and octets are bounded, beyond which SERVFAIL. */
export const QUEUE_LIMITS = { updates: 256, bytes: 1 << 20 };

interface Queue {
  tail: Promise<unknown>;
  updates: number;
  bytes: number;
}

/** A record as compared: owner, type, TTL, canonical data, the SOA's serial left out (the load path sets it). */
function recordKey(r: ZoneRecord): string {
  const data = r.type === RRType.SOA ? withSoaSerial(r.rdata, 0) : canonicalRData(r.type, r.rdata);
  return `${r.owner.key} ${r.type} ${r.ttl} ${data.toString('hex')}`;
}

function contentOf(records: Iterable<ZoneRecord>): string {
  return [...records].map(recordKey).sort().join('\n');
}

/** The records of `zone` once `changes` are applied. */
function changedRecords(zone: Zone, changes: readonly RRsetChange[]): ZoneRecord[] {
  const touched = new Set(changes.map((c) => `${c.owner.key}/${c.type}`));
  const out = [...zone.records()].filter((r) => !touched.has(`${r.owner.key}/${r.type}`));
  for (const c of changes) for (const rdata of c.after) out.push({ owner: c.owner, type: c.type, ttl: c.ttl, rdata });
  return out;
}

/** Writes `text` to `file` so that a crash leaves the old file or the new one, never a part. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.rotor-${randomBytes(4).toString('hex')}`);
  const handle = await open(temp, 'wx', 0o644);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, file);
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw e;
  }
}

/** What rotor last wrote for a zone: the files' stamps, the records they hold, and the version that was served from them. */
interface Written {
  stamps: Map<string, string>;
  records: ParsedRecord[];
  zone: Zone;
}

async function stampsOf(files: Iterable<string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of files) out.set(f, await fileStamp(f));
  return out;
}

function sameStamps(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([f, s]) => b.get(f) === s);
}

export class Updates {
  private readonly queues = new Map<string, Queue>();
  /**
   * Per zone, what the last update wrote and served: while no file changed
   * since, the next update starts from it without reading the files again (a
   * zone file parsed per update is the cost of an update).
   */
  private readonly written = new Map<string, Written>();

  constructor(
    private readonly catalog: Catalog,
    private readonly files: ZoneFiles,
    private readonly grantsOf: (origin: string) => readonly Grant[] | undefined,
    private readonly events: EventLog,
  ) {}

  /** One UPDATE message, verified by the pipeline when signed (`key` is then the key it was signed with). */
  update(msg: Buffer, key: TsigKey | undefined, client: string): UpdateResult | Promise<UpdateResult> {
    let request: UpdateRequest;
    try {
      request = parseUpdate(msg);
    } catch (e) {
      if (!(e instanceof UpdateFormatError)) throw e;
      return this.refuse(client, undefined, { rcode: Rcode.FORMERR, reason: e.message });
    }
    const { zone: section } = request;
    if (section.type !== RRType.SOA) return this.refuse(client, section.name, { rcode: Rcode.FORMERR, reason: 'the zone section must ask for type SOA' });
    const zone = section.class === RRClass.IN ? this.catalog.get(section.name.key) : undefined;
    if (!zone) return this.refuse(client, section.name, { rcode: Rcode.NOTAUTH, reason: `${section.name} is not a zone served here` });
    const grants = this.grantsOf(zone.origin.key);
    if (!grants || grants.length === 0) return this.refuse(client, zone.origin, { rcode: Rcode.REFUSED, reason: `updates of ${zone.origin} are not allowed (no update-policy)` });
    if (!key) return this.refuse(client, zone.origin, { rcode: Rcode.REFUSED, reason: 'an update must be signed with a TSIG key' });

    const origin = zone.origin.key;
    let queue = this.queues.get(origin);
    if (!queue) this.queues.set(origin, (queue = { tail: Promise.resolve(), updates: 0, bytes: 0 }));
    if (queue.updates >= QUEUE_LIMITS.updates || queue.bytes + msg.length > QUEUE_LIMITS.bytes) {
      return this.refuse(client, zone.origin, { rcode: Rcode.SERVFAIL, reason: `too many updates of ${zone.origin} waiting` });
    }
    const q = queue;
    q.updates++;
    q.bytes += msg.length;
    const run = q.tail.then(() => this.apply(request, zone.origin, key, grants, client));
    q.tail = run.catch(() => undefined).finally(() => {
      q.updates--;
      q.bytes -= msg.length;
      if (q.updates === 0 && this.queues.get(origin) === q) this.queues.delete(origin);
    });
    return run.catch((e: unknown) => this.refuse(client, zone.origin, { rcode: Rcode.SERVFAIL, reason: `the update could not be applied: ${(e as Error).message}` }));
  }

  private refuse(client: string, zone: Name | undefined, result: UpdateResult): UpdateResult {
    this.events.log(result.rcode === Rcode.SERVFAIL ? 'warn' : 'info', 'update refused', { client, zone: zone?.toString(), rcode: result.rcode }, `update not applied: ${result.reason}`);
    return result;
  }

  /** The zone's file, its load options, and the zone as its file(s) read now, built as the loader builds it. */
  private readSource(origin: Name): { file: string; options: LoadOptions; text: string } {
    const file = this.files.fileOf(origin.key);
    if (!file) throw new Error(`no file serves ${origin}`);
    return { file, options: this.files.optionsFor(file), text: readFileSync(file, 'utf8') };
  }

  private built(origin: Name, file: string, text: string, options: LoadOptions, pending?: ReadonlyMap<string, string>) {
    const parsed = parseZoneText(text, file, origin, options, undefined, { pending });
    const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) throw new Error(`${errors[0]!.pos.file}:${errors[0]!.pos.line}: ${errors[0]!.message}`);
    return { parsed, zone: buildZone(origin, file, parsed.records, { serial: 0, ttl: options.defaultTtl }).zone };
  }

  private async apply(request: UpdateRequest, originName: Name, key: TsigKey, grants: readonly Grant[], client: string): Promise<UpdateResult> {
    // The newest version: a reload under way finishes first, and a hand edit not yet loaded is loaded now.
    await this.files.settled(this.readSource(originName).file);
    let source = this.readSource(originName);
    let zone = this.catalog.get(originName.key);
    const last = this.written.get(originName.key);
    this.written.delete(originName.key);
    let records: ParsedRecord[];
    if (last && last.zone === zone && sameStamps(last.stamps, await stampsOf(last.stamps.keys()))) {
      records = last.records;
    } else {
      let onDisk = this.built(originName, source.file, source.text, source.options);
      if (!zone || contentOf(onDisk.zone.records()) !== contentOf(zone.records())) {
        await this.files.reload(source.file);
        zone = this.catalog.get(originName.key);
        source = this.readSource(originName);
        onDisk = this.built(originName, source.file, source.text, source.options);
      }
      if (!zone || contentOf(onDisk.zone.records()) !== contentOf(zone.records())) {
        return this.refuse(client, originName, { rcode: Rcode.SERVFAIL, reason: `${source.file} does not load to the zone served (fix the file first)` });
      }
      records = onDisk.parsed.records;
    }

    const pre = checkPrerequisites(zone, request.prerequisites);
    if (pre) return this.refuse(client, zone.origin, pre as UpdateResult);
    for (const rr of request.updates) {
      if (!rr.owner.isSubdomainOf(zone.origin)) return this.refuse(client, zone.origin, { rcode: Rcode.NOTZONE, reason: `update ${rr.owner} is outside ${zone.origin}` });
      const why = denied(grants, key.name, zone.origin, rr.owner, rr.type);
      if (why) return this.refuse(client, zone.origin, { rcode: Rcode.REFUSED, reason: why });
    }
    const bad = prescan(zone, request.updates);
    if (bad) return this.refuse(client, zone.origin, bad as UpdateResult);
    const changes = applyUpdates(zone, request.updates);
    if (changes.length === 0) return { rcode: Rcode.NOERROR, zone };
    if (!zone.autoSerial && !changes.some((c) => c.type === RRType.SOA)) {
      const soa = zone.soaRecord;
      changes.push({ owner: soa.owner, type: RRType.SOA, ttl: soa.ttl, ttlBefore: soa.ttl, before: [soa.rdata], after: [withSoaSerial(soa.rdata, (zone.serial + 1) >>> 0)] });
    }

    // The edited texts, checked by loading them before anything is written.
    const expected = changedRecords(zone, changes);
    const texts = this.edit(zone, source, records, changes, expected);
    const main = texts.get(source.file) ?? source.text;
    const check = this.built(zone.origin, source.file, main, source.options, texts);
    if (contentOf(check.zone.records()) !== contentOf(expected)) {
      return this.refuse(client, zone.origin, { rcode: Rcode.SERVFAIL, reason: `the edit of ${source.file} would not load to the updated zone; nothing was written` });
    }
    const originals = new Map<string, string>();
    for (const file of texts.keys()) originals.set(file, await readFile(file, 'utf8'));
    try {
      for (const [file, text] of texts) {
        await writeAtomically(file, text);
        await this.files.wrote(file);
      }
    } catch (e) {
      for (const [file, text] of originals) await writeAtomically(file, text).catch(() => undefined);
      return this.refuse(client, zone.origin, { rcode: Rcode.SERVFAIL, reason: `cannot write ${source.file}: ${(e as Error).message}` });
    }
    // On this thread: the edited text was just parsed here to check it, so the loader thread would save no waiting, only add its hand-over.
    await this.files.reload(source.file, 'change', 'here');
    const served = this.catalog.get(zone.origin.key);
    if (!served || contentOf(served.records()) !== contentOf(expected)) {
      for (const [file, text] of originals) await writeAtomically(file, text).catch(() => undefined);
      await this.files.reload(source.file);
      return this.refuse(client, zone.origin, { rcode: Rcode.SERVFAIL, reason: `${source.file} did not load after the update; the previous text is back` });
    }
    const files = new Set([source.file, ...check.parsed.records.map((r) => r.pos.file)]);
    this.written.set(zone.origin.key, { stamps: await stampsOf(files), records: check.parsed.records, zone: served });
    this.events.log('info', 'update applied', { client, zone: zone.origin.toString() },
      `update of ${zone.origin} by key ${key.name}: ${changes.map((c) => `${c.owner} ${typeName(c.type)} ${c.before.length}→${c.after.length}`).join(', ')}; serial ${served.serial}`);
    return { rcode: Rcode.NOERROR, zone: served };
  }

  private edit(zone: Zone, source: { file: string; options: LoadOptions; text: string }, records: ReturnType<typeof parseZoneText>['records'], changes: RRsetChange[], expected: ZoneRecord[]): Map<string, string> {
    if (isYamlZone(source.file, source.options)) {
      const all = (owner: Name) => {
        const sets = new Map<number, { type: number; ttl: number; rdata: Buffer[] }>();
        for (const r of expected) {
          if (!r.owner.equals(owner)) continue;
          const s = sets.get(r.type) ?? { type: r.type, ttl: r.ttl, rdata: [] };
          s.rdata.push(r.rdata);
          sets.set(r.type, s);
        }
        return [...sets.values()];
      };
      return new Map([[source.file, editYamlZone(source.text, zone.origin, records, changes, all)]]);
    }
    return editMasterFiles(source.file, (f) => (f === source.file ? source.text : readFileSync(f, 'utf8')), records, changes);
  }
}
