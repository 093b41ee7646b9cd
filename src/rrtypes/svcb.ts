// SVCB and HTTPS (RFC 9460): priority, target (never compressed) and SvcParams,
// each key=value in text in any order, in key order on the wire. The value forms
// of §7 (alpn, port, ipv4hint, ech, ipv6hint, mandatory, no-default-alpn), RFC
// 9461's dohpath (key 7, printed by name as BIND 9.20 prints it; 9.18 reads the
// name and prints key7), and keyNNNNN for the rest; the rules BIND enforces (no key twice, mandatory keys
// present, "mandatory" not in its own list, no-default-alpn only with alpn).
import type { Name } from '../wire/name.js';
import { MessageWriter } from '../wire/writer.js';
import { decodeFields, encodeFields, parseBase64, quoted } from './fields.js';
import { plainType } from './plain.js';
import { genericText } from './rfc3597.js';
import type { Field, RRTypeModule, TextArgs, YamlOut, YamlValue } from './rrtype.js';
import { isUtf8, NOT_UTF8 } from './text-strings.js';
import { ipv6Text, parseIPv4, parseIPv6, ValueError } from './values.js';

const KEYS = ['mandatory', 'alpn', 'no-default-alpn', 'port', 'ipv4hint', 'ech', 'ipv6hint', 'dohpath'];
const MANDATORY = 0, ALPN = 1, NO_DEFAULT_ALPN = 2, PORT = 3, IPV4HINT = 4, ECH = 5, IPV6HINT = 6, DOHPATH = 7;

/**
 * RFC 9461 §5: a relative URI template (from "/") with a `dns` variable, such
 * as /dns-query{?dns}; BIND refuses others.
 */
const DOH_TEMPLATE = /^\/[^{]*(\{[^}]*\}[^{]*)*$/;
const hasDnsVariable = (t: string) => /\{[?&]?([^}]*,)?dns(\*|:\d+)?(,[^}]*)?\}/.test(t);

const keyText = (key: number) => KEYS[key] ?? `key${key}`;

function keyFromText(text: string): number {
  const known = KEYS.indexOf(text.toLowerCase());
  if (known >= 0) return known;
  const m = /^key(\d{1,5})$/i.exec(text);
  if (!m || Number(m[1]) > 65534) throw new ValueError(`"${text}" is not a SvcParamKey (${KEYS.join(', ')} or keyNNNNN up to key65534)`);
  return Number(m[1]);
}

/** Splits a value-list at commas not escaped with "\" and undoes those escapes (RFC 9460 Appendix A.1). */
function valueList(octets: Buffer): Buffer[] {
  const items: Buffer[] = [];
  let item: number[] = [];
  for (let i = 0; i < octets.length; i++) {
    const c = octets[i]!;
    if (c === 0x5c && i + 1 < octets.length) item.push(octets[++i]!);
    else if (c === 0x2c) {
      items.push(Buffer.from(item));
      item = [];
    } else item.push(c);
  }
  items.push(Buffer.from(item));
  return items;
}

/**
 * The wire value of `key` from its presentation value (escapes already undone
 * once). A key written keyNNNNN takes its value as octets, whatever the key
 * (as BIND does: key3=1 is a port one octet long).
 */
function encodeValue(key: number, value: Buffer | undefined, generic = false): Buffer {
  const name = keyText(key);
  if (generic) return value ?? Buffer.alloc(0);
  if (key === NO_DEFAULT_ALPN) {
    if (value !== undefined && value.length > 0) throw new ValueError('no-default-alpn takes no value');
    return Buffer.alloc(0);
  }
  if (value === undefined || (value.length === 0 && key <= IPV6HINT)) throw new ValueError(`SvcParam ${name} needs a value`);
  const text = value.toString('latin1');
  const w = new MessageWriter(65535, false);
  switch (key) {
    case MANDATORY:
      // RFC 9460 §8: in increasing order on the wire.
      for (const k of text.split(',').map(keyFromText).sort((a, b) => a - b)) w.u16(k);
      break;
    case ALPN:
      for (const id of valueList(value)) {
        if (id.length === 0 || id.length > 255) throw new ValueError('an alpn id is 1 to 255 octets');
        w.characterString(id);
      }
      break;
    case PORT:
      if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw new ValueError(`port "${text}" is not a number from 0 to 65535`);
      w.u16(Number(text));
      break;
    case IPV4HINT: for (const a of text.split(',')) w.bytes(parseIPv4(a).bytes); break;
    case IPV6HINT: for (const a of text.split(',')) w.bytes(parseIPv6(a).bytes); break;
    case ECH: w.bytes(parseBase64(text)); break;
    default: w.bytes(value);
  }
  return w.result();
}

/** Why a key's wire value is malformed, or undefined. */
function valueProblem(key: number, v: Buffer): string | undefined {
  const name = keyText(key);
  switch (key) {
    case MANDATORY: return v.length === 0 || v.length % 2 ? 'mandatory is a non-empty list of 2-octet keys' : undefined;
    case ALPN: {
      if (v.length === 0) return 'alpn is a non-empty list';
      for (let at = 0; at < v.length; at += 1 + v[at]!) if (v[at] === 0 || at + 1 + v[at]! > v.length) return 'alpn holds a bad alpn id';
      return undefined;
    }
    case NO_DEFAULT_ALPN: return v.length ? 'no-default-alpn takes no value' : undefined;
    case PORT: return v.length === 2 ? undefined : 'port is 2 octets';
    case IPV4HINT: return v.length && v.length % 4 === 0 ? undefined : `${name} is a non-empty list of 4-octet addresses`;
    case IPV6HINT: return v.length && v.length % 16 === 0 ? undefined : `${name} is a non-empty list of 16-octet addresses`;
    case DOHPATH: {
      const t = v.toString('utf8');
      return isUtf8(v) && DOH_TEMPLATE.test(t) && hasDnsVariable(t) ? undefined : 'dohpath is a URI template from "/" with a dns variable, such as /dns-query{?dns} (RFC 9461 §5)';
    }
    default: return undefined;
  }
}

interface Param { key: number; value: Buffer }

/** The params of wire data, or why they are malformed. */
function decodeParams(octets: Buffer): Param[] | string {
  const params: Param[] = [];
  for (let at = 0; at < octets.length;) {
    if (at + 4 > octets.length) return 'SvcParams end early';
    const key = octets.readUInt16BE(at);
    const len = octets.readUInt16BE(at + 2);
    if (at + 4 + len > octets.length) return `SvcParam ${keyText(key)} runs past the data`;
    if (params.length && key <= params[params.length - 1]!.key) return `SvcParam ${keyText(key)} is out of order or repeated`;
    const value = octets.subarray(at + 4, at + 4 + len);
    const problem = valueProblem(key, value);
    if (problem) return problem;
    params.push({ key, value });
    at += 4 + len;
  }
  return setProblem(params);
}

/** The rules about the set of params (RFC 9460 §8, §7.1.1), or the params. */
function setProblem(params: Param[]): Param[] | string {
  const keys = new Set(params.map((p) => p.key));
  const mandatory = params.find((p) => p.key === MANDATORY);
  if (mandatory) {
    const listed = new Set<number>();
    for (let at = 0; at < mandatory.value.length; at += 2) {
      const k = mandatory.value.readUInt16BE(at);
      if (k === MANDATORY) return 'mandatory must not list itself (RFC 9460 §8)';
      if (listed.has(k)) return `mandatory lists ${keyText(k)} twice`;
      if (at && k < mandatory.value.readUInt16BE(at - 2)) return 'mandatory keys are out of order (RFC 9460 §8)';
      if (!keys.has(k)) return `mandatory lists ${keyText(k)}, which the record does not have`;
      listed.add(k);
    }
  }
  if (keys.has(NO_DEFAULT_ALPN) && !keys.has(ALPN)) return 'no-default-alpn needs alpn beside it (RFC 9460 §7.1.1)';
  return params;
}

function encodeParams(params: Param[]): Buffer {
  const w = new MessageWriter(65535, false);
  for (const p of [...params].sort((a, b) => a.key - b.key)) {
    w.u16(p.key);
    w.u16(p.value.length);
    w.bytes(p.value);
  }
  return w.result();
}

/** An alpn id escaped for a value-list, then as a quoted string: "," is written \\, (RFC 9460 Appendix A). */
const alpnText = (ids: Buffer[]) => quoted(Buffer.concat(ids.flatMap((id, i) => [
  ...(i ? [Buffer.from(',')] : []), Buffer.from([...id].flatMap((c) => (c === 0x2c || c === 0x5c ? [0x5c, c] : [c]))),
])));

function valueText(key: number, v: Buffer): string | undefined {
  const list = (size: number, f: (b: Buffer) => string) => {
    const out: string[] = [];
    for (let at = 0; at < v.length; at += size) out.push(f(v.subarray(at, at + size)));
    return out.join(',');
  };
  switch (key) {
    case MANDATORY: return list(2, (b) => keyText(b.readUInt16BE(0)));
    case ALPN: return alpnText(alpnIds(v));
    case NO_DEFAULT_ALPN: return undefined;
    case PORT: return String(v.readUInt16BE(0));
    case IPV4HINT: return list(4, (b) => [...b].join('.'));
    case IPV6HINT: return list(16, ipv6Text);
    case ECH: return v.toString('base64');
    default: return quoted(v);
  }
}

function alpnIds(v: Buffer): Buffer[] {
  const ids: Buffer[] = [];
  for (let at = 0; at < v.length; at += 1 + v[at]!) ids.push(v.subarray(at + 1, at + 1 + v[at]!));
  return ids;
}

const fields: readonly Field[] = [
  { kind: 'u16', label: 'priority' }, { kind: 'name', label: 'target' },
  { kind: 'octets', label: 'SvcParams', validate: (v) => { const p = decodeParams(v as Buffer); return typeof p === 'string' ? p : undefined; } },
];

function parseSvcText(args: TextArgs, mnemonic: string): Buffer {
  if (args.count < 2) args.fail(Math.max(args.count - 1, 0), `${mnemonic} record is missing its ${args.count ? 'target' : 'priority, target'}`);
  const params: Param[] = [];
  for (let j = 2; j < args.count; j++) {
    const at = j;
    const raw = args.text(j, (t) => t);
    const eq = raw.indexOf('=');
    const keyWord = eq < 0 ? raw : raw.slice(0, eq);
    const key = args.text(j, () => keyFromText(keyWord));
    let value: Buffer | undefined;
    // key="quoted value" is two tokens to the lexer: "key=" and the quoted string.
    if (eq === raw.length - 1 && j + 1 < args.count) value = args.octets(++j);
    else if (eq >= 0) value = args.octets(j).subarray(eq + 1);
    if (params.some((p) => p.key === key)) args.fail(at, `SvcParam ${keyText(key)} appears twice`);
    params.push({ key, value: args.text(at, () => {
      const wire = encodeValue(key, value, /^key\d/i.test(keyWord));
      const problem = valueProblem(key, wire);
      if (problem) throw new ValueError(problem);
      return wire;
    }) });
  }
  const checked = setProblem(params);
  if (typeof checked === 'string') args.fail(2, checked);
  return encodeFields(fields, [args.uint(0, 16, `${mnemonic} priority`), args.name(1), encodeParams(params)]);
}

function printSvc(rdata: Buffer, name: (n: Name) => string, mnemonic: string): string {
  const [priority, target, octets] = decodeFields(fields, mnemonic, rdata) as [number, Name, Buffer];
  const params = decodeParams(octets);
  // Data from the wire is only checked against the layout: malformed params are shown as RFC 3597 data.
  if (typeof params === 'string') return genericText(rdata);
  return [String(priority), name(target), ...params.map((p) => {
    const v = valueText(p.key, p.value);
    return v === undefined ? keyText(p.key) : `${keyText(p.key)}=${v}`;
  })].join(' ');
}

/** octoDNS's shape: svcpriority, targetname, svcparams (lists for the list keys, null for no-default-alpn). */
function parseSvcYaml(v: YamlValue, mnemonic: string): Buffer {
  const priority = v.uint('svcpriority', 16, mnemonic);
  const target = v.name('targetname', mnemonic);
  const params: Param[] = [];
  if (v.has('svcparams')) {
    const node = v.field('svcparams', mnemonic);
    for (const k of node.keys() ?? node.fail(`${mnemonic} svcparams is a mapping of keys to values`)) {
      const valueNode = node.field(k, `${mnemonic} svcparams`);
      const peek = node.peek(k);
      try {
        const key = keyFromText(k);
        const items = valueNode.items();
        // A list is a value-list: its items' commas and backslashes are escaped.
        const text = items
          ? items.map((i) => i.text(`${mnemonic} ${k}`).replace(/[\\,]/g, (c) => (key === ALPN ? `\\${c}` : c))).join(',')
          : peek === null || peek === undefined ? undefined : valueNode.text(`${mnemonic} ${k}`);
        const wire = encodeValue(key, text === undefined ? undefined : Buffer.from(text, 'utf8'), /^key\d/i.test(k));
        const problem = valueProblem(key, wire);
        if (problem) throw new ValueError(problem);
        params.push({ key, value: wire });
      } catch (e) {
        if (!(e instanceof ValueError)) throw e;
        valueNode.fail(`${mnemonic} ${k}: ${e.message}`);
      }
    }
    const checked = setProblem(params);
    if (typeof checked === 'string') node.fail(`${mnemonic} svcparams: ${checked}`);
  }
  return encodeFields(fields, [priority, target, encodeParams(params)]);
}

function printSvcYaml(rdata: Buffer, mnemonic: string): YamlOut {
  const [priority, target, octets] = decodeFields(fields, mnemonic, rdata) as [number, Name, Buffer];
  const params = decodeParams(octets);
  if (typeof params === 'string') return { reason: `${mnemonic} data is malformed: ${params}` };
  const svcparams: Record<string, unknown> = {};
  const list = (v: Buffer, size: number, f: (b: Buffer) => string) => {
    const out: string[] = [];
    for (let at = 0; at < v.length; at += size) out.push(f(v.subarray(at, at + size)));
    return out;
  };
  for (const { key, value } of params) {
    const k = keyText(key);
    if ((key === ALPN && !alpnIds(value).every(isUtf8)) || (key > IPV6HINT && !isUtf8(value))) return { reason: NOT_UTF8 };
    switch (key) {
      case MANDATORY: svcparams[k] = list(value, 2, (b) => keyText(b.readUInt16BE(0))); break;
      case ALPN: svcparams[k] = alpnIds(value).map((id) => id.toString('utf8')); break;
      case NO_DEFAULT_ALPN: svcparams[k] = null; break;
      case PORT: svcparams[k] = value.readUInt16BE(0); break;
      case IPV4HINT: svcparams[k] = list(value, 4, (b) => [...b].join('.')); break;
      case IPV6HINT: svcparams[k] = list(value, 16, ipv6Text); break;
      case ECH: svcparams[k] = value.toString('base64'); break;
      default: svcparams[k] = value.toString('utf8');
    }
  }
  return { value: { svcpriority: priority, targetname: target.toString(), svcparams } };
}

function svcType(code: number, mnemonic: string): RRTypeModule {
  return plainType(code, mnemonic, fields, false, {
    ownTokenCount: true,
    parseText: (args) => parseSvcText(args, mnemonic),
    printText: (rdata, name) => printSvc(rdata, name, mnemonic),
    yaml: { parse: (v) => parseSvcYaml(v, mnemonic), print: (rdata) => printSvcYaml(rdata, mnemonic) },
    check: (rdata) => {
      const [priority, , octets] = decodeFields(fields, mnemonic, rdata) as [number, Name, Buffer];
      const params = decodeParams(octets);
      const out: string[] = [];
      if (priority === 0 && octets.length) out.push(`${mnemonic} in AliasMode (priority 0) should have no SvcParams (RFC 9460 §2.4.2)`);
      const mandatory = typeof params === 'string' ? undefined : params.find((p) => p.key === MANDATORY);
      // RFC 9460 §9.1: for HTTPS, port and no-default-alpn are automatically mandatory.
      for (let at = 0; mandatory && code === 65 && at < mandatory.value.length; at += 2) {
        const k = mandatory.value.readUInt16BE(at);
        if (k === PORT || k === NO_DEFAULT_ALPN) out.push(`HTTPS mandatory lists ${keyText(k)}, which is automatically mandatory (RFC 9460 §8)`);
      }
      return out;
    },
  });
}

export const SVCB = svcType(64, 'SVCB');
export const HTTPS = svcType(65, 'HTTPS');
