// Carries an update's changes into a YAML zone (octoDNS layout) at the level of
// lines, finding the records through the `yaml` library's document (each node
// knows where it was written): a deleted value's line goes, an added value is
// a new line after the last of its list, a record or owner that goes loses its
// lines, a new owner is added at the end. What cannot be changed a line at a
// time (a single `value:` that becomes two, a flow list, a TTL that changes,
// an owner written as one record that gains a second type) is written anew,
// that record or owner only. Every other line, comments and blank lines
// included, stays byte for byte.
import { isMap, isScalar, isSeq, parseDocument, stringify, visit, type Node, type Pair, type YAMLMap } from 'yaml';
import { canonicalRData, toYaml } from '../rrtypes/registry.js';
import { soaSerial, withSoaSerial } from '../rrtypes/soa.js';
import type { Name } from '../wire/name.js';
import { RRType, typeName } from '../wire/types.js';
import { parseDomainName } from '../rrtypes/values.js';
import type { ParsedRecord } from '../zone/records.js';
import { lineAt, lineStarts } from '../zone/yaml.js';
import type { RRsetChange } from './changes.js';

const FLOW = { collectionStyle: 'flow', flowCollectionPadding: false, lineWidth: 0, singleQuote: true } as const;

/** A value as one line of YAML text. */
function valueText(type: number, rdata: Buffer): string {
  const y = toYaml(type, rdata);
  if ('reason' in y) throw new Error(`a ${typeName(type)} record cannot be written in YAML: ${y.reason}`);
  return stringify(y.value, FLOW).trimEnd();
}

/** A record's lines, its keys at `indent`; `dash` puts it in a list at that column. */
function recordLines(type: number, ttl: number, rdata: readonly Buffer[], indent: number, dash: boolean): string[] {
  const pad = ' '.repeat(indent);
  const lines = [`${pad}type: ${typeName(type)}`, `${pad}ttl: ${ttl}`];
  if (rdata.length === 1) lines.push(`${pad}value: ${valueText(type, rdata[0]!)}`);
  else lines.push(`${pad}values:`, ...rdata.map((d) => `${pad}  - ${valueText(type, d)}`));
  if (dash) lines[0] = `${' '.repeat(indent - 2)}- ${lines[0]!.slice(indent)}`;
  return lines;
}

/** An owner name as a top-level key. */
function ownerKey(owner: Name, origin: Name): string {
  const rel = owner.equals(origin) ? '' : owner.relativeTo(origin);
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(rel) ? rel : `'${rel.replace(/'/g, "''")}'`;
}

interface Edits {
  deleted: Set<number>;
  inserted: Map<number, string[]>;
  replaced: Map<number, string>;
}

const AT_END = Number.MAX_SAFE_INTEGER;

/** The new text of a YAML zone after `changes`; `all` gives every RRset the owner will have, for owners written anew. */
export function editYamlZone(text: string, origin: Name, records: readonly ParsedRecord[], changes: readonly RRsetChange[], all: (owner: Name) => { type: number; ttl: number; rdata: Buffer[] }[]): string {
  const starts = lineStarts(text);
  const firstLine = (n: Node) => lineAt(starts, n.range![0]);
  const lastLine = (n: Node) => lineAt(starts, Math.max(n.range![0], n.range![1] - 1));
  const indentOf = (line: number) => /^ */.exec(text.slice(starts[line], starts[line + 1] ?? text.length))![0].length;
  // What each value node holds, as the loader read it (it knows every record's line and column).
  const dataAt = new Map(records.map((r) => [`${r.pos.line}:${r.pos.col}`, r.rdata]));
  const dataOf = (n: Node) => {
    const line = lineAt(starts, n.range![0]);
    return dataAt.get(`${line + 1}:${n.range![0] - starts[line]! + 1}`);
  };
  const edits: Edits = { deleted: new Set(), inserted: new Map(), replaced: new Map() };
  const drop = (from: number, to: number) => { for (let l = from; l <= to; l++) edits.deleted.add(l); };
  const insert = (after: number, lines: string[]) => edits.inserted.set(after, [...edits.inserted.get(after) ?? [], ...lines]);

  const pairs = ownerPairs(text, starts, origin, records, new Set(changes.map((c) => c.owner.key)));

  const byOwner = new Map<string, RRsetChange[]>();
  for (const c of changes) byOwner.set(c.owner.key, [...byOwner.get(c.owner.key) ?? [], c]);

  for (const [key, owned] of byOwner) {
    const owner = owned[0]!.owner;
    const pair = pairs.get(key);
    const future = all(owner);
    if (!pair) {
      if (future.length > 0) insert(AT_END, ownerLines(owner, origin, future));
      continue;
    }
    const value = pair.value!;
    const records = (isSeq(value) && !value.flow ? value.items : [value]) as Node[];
    const typeOf = (r: Node) => (isMap(r) ? String((r as YAMLMap).get('type') ?? '').toUpperCase() : '');
    const pairFrom = firstLine(pair.key!);
    const pairTo = lastLine(value);
    // An owner whose records all go, or written as one record that gains a type: the owner's lines anew.
    const gains = owned.some((c) => c.before.length === 0 && c.after.length > 0);
    if (future.length === 0 || !isSeq(value) && gains) {
      drop(pairFrom, pairTo);
      if (future.length > 0) insert(pairTo, ownerLines(owner, origin, future));
      continue;
    }
    for (const change of owned) {
      const same = (a: Buffer, b: Buffer) => canonicalRData(change.type, a).equals(canonicalRData(change.type, b));
      const record = records.find((r) => typeOf(r) === typeName(change.type)) as YAMLMap | undefined;
      const inList = isSeq(value);
      if (!record) {
        // A new type at an owner written as a list: one more item.
        const items = value as unknown as { items: Node[] };
        const dashAt = indentOf(firstLine(items.items[0]!));
        insert(pairTo, recordLines(change.type, change.ttl, change.after, dashAt + 2, true));
        continue;
      }
      const from = firstLine(record);
      const to = lastLine(record);
      if (change.after.length === 0) {
        drop(from, to);
        continue;
      }
      const values = (record.get('values', true) ?? record.get('value', true)) as Node;
      if (change.type === RRType.SOA && change.ttl === change.ttlBefore && isMap(values) && withSoaSerial(change.before[0]!, 0).equals(withSoaSerial(change.after[0]!, 0))) {
        const serial = (values as YAMLMap).get('serial', true) as Node | undefined;
        if (serial && isScalar(serial) && firstLine(serial) === lastLine(serial)) {
          const line = firstLine(serial);
          const current = edits.replaced.get(line) ?? text.slice(starts[line], (starts[line + 1] ?? text.length + 1) - 1);
          const col = serial.range![0] - starts[line]!;
          edits.replaced.set(line, current.slice(0, col) + String(soaSerial(change.after[0]!)) + current.slice(serial.range![1] - starts[line]!));
          continue;
        }
      }
      if (change.ttl === change.ttlBefore && isSeq(values) && !values.flow) {
        const items = values.items as Node[];
        const lines: number[] = [];
        for (const item of items) {
          const itemValue = dataOf(item);
          if (itemValue && !change.after.some((a) => same(a, itemValue))) drop(firstLine(item), lastLine(item));
          else lines.push(firstLine(item));
        }
        const added = change.after.filter((d) => !change.before.some((b) => same(b, d)));
        const dashAt = indentOf(firstLine(items[0]!));
        insert(lastLine(values), added.map((d) => `${' '.repeat(dashAt)}- ${valueText(change.type, d)}`));
        if (lines.length > 0 || added.length > 0) continue;
      }
      // The record anew, where it was.
      drop(from, to);
      const keyIndent = indentOf(from) + (inList ? 2 : 0);
      insert(to, recordLines(change.type, change.ttl, change.after, keyIndent, inList));
    }
  }
  return applyEdits(text, edits);
}


/** A whole owner: its key and its records, as a list when there are several. */
function ownerLines(owner: Name, origin: Name, sets: { type: number; ttl: number; rdata: Buffer[] }[]): string[] {
  const head = `${ownerKey(owner, origin)}:`;
  if (sets.length === 1) return [head, ...recordLines(sets[0]!.type, sets[0]!.ttl, sets[0]!.rdata, 2, false)];
  return [head, ...sets.flatMap((s) => recordLines(s.type, s.ttl, s.rdata, 4, true))];
}

/** A top-level key starts its line: not a blank, a comment, a list item or a continuation. */
function startsKey(text: string, at: number): boolean {
  const c = text[at];
  return c !== undefined && !' \t\r\n#-'.includes(c);
}

/** A pair's owner name, as the loader reads the key (numbers as written). */
function ownerOfPair(pair: Pair<Node, Node>, text: string, origin: Name): string | undefined {
  const k = isScalar(pair.key) ? pair.key : undefined;
  const keyText = k?.value === null || k?.value === undefined ? '' : typeof k.value === 'string' ? k.value : text.slice(k.range![0], k.range![1]);
  try {
    return (keyText === '' ? origin : parseDomainName(keyText, origin)).key;
  } catch {
    return undefined; // A key the loader rejects too: such a file is not served, so it is never edited.
  }
}

/**
 * The top-level pairs of the owners in `wanted`, node ranges counted in the
 * whole text. Only the block of each such owner is parsed (from its key line
 * to the next top-level key, found through the loader's positions of its
 * records): parsing the whole file for every update made an update's cost
 * grow with the zone. Files with document markers or directives are parsed whole.
 */
function ownerPairs(text: string, starts: Uint32Array, origin: Name, records: readonly ParsedRecord[], wanted: Set<string>): Map<string, Pair<Node, Node>> {
  const pairs = new Map<string, Pair<Node, Node>>();
  const parse = (from: number, to: number): Pair<Node, Node>[] => {
    const doc = parseDocument(text.slice(from, to), { uniqueKeys: false });
    if (doc.errors.length > 0 || !isMap(doc.contents)) throw new Error('the zone file does not parse as a YAML mapping');
    if (from > 0) visit(doc, { Node: (_, n) => { if (n.range) n.range = [n.range[0] + from, n.range[1] + from, n.range[2] + from]; } });
    return doc.contents.items as Pair<Node, Node>[];
  };
  if (/^(?:---|\.\.\.|%|\{)/m.test(text)) {
    for (const pair of parse(0, text.length)) {
      const key = ownerOfPair(pair, text, origin);
      if (key !== undefined && wanted.has(key)) pairs.set(key, pair);
    }
    return pairs;
  }
  const keyLines = [...starts.keys()].filter((i) => startsKey(text, starts[i]!));
  for (const key of wanted) {
    const rec = records.find((r) => r.owner.key === key);
    if (!rec) continue;
    let k = keyLines.length - 1;
    while (k > 0 && keyLines[k]! > rec.pos.line - 1) k--;
    const from = starts[keyLines[k]!]!;
    const to = k + 1 < keyLines.length ? starts[keyLines[k + 1]!]! : text.length;
    const pair = parse(from, to).find((p) => ownerOfPair(p, text, origin) === key);
    if (pair) pairs.set(key, pair);
  }
  return pairs;
}

function applyEdits(text: string, e: Edits): string {
  const lines = text.split('\n');
  const endsWithNewline = lines.length > 1 && lines[lines.length - 1] === '';
  if (endsWithNewline) lines.pop();
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!e.deleted.has(i)) out.push(e.replaced.get(i) ?? lines[i]!);
    out.push(...e.inserted.get(i) ?? []);
  }
  out.push(...e.inserted.get(AT_END) ?? []);
  return out.join('\n') + (endsWithNewline || e.inserted.has(AT_END) || e.inserted.has(lines.length - 1) ? '\n' : '');
}
