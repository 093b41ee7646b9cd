// LOC (RFC 1876): a position, altitude and three sizes. In text, degrees with
// optional minutes and seconds, metres with an optional "m" and optional sizes
// (defaults 1m 10000m 10m); printed as BIND prints it. YAML is octoDNS's mapping.
import { decodeFields, encodeFields } from './fields.js';
import { plainType } from './plain.js';
import type { Field, TextArgs, YamlValue } from './rrtype.js';
import { ValueError } from './values.js';

const fields: readonly Field[] = [
  { kind: 'u8', label: 'version', validate: (v) => (v === 0 ? undefined : `LOC version ${v} is not 0`) },
  { kind: 'u8', label: 'size' }, { kind: 'u8', label: 'horizontal precision' }, { kind: 'u8', label: 'vertical precision' },
  { kind: 'u32', label: 'latitude' }, { kind: 'u32', label: 'longitude' }, { kind: 'u32', label: 'altitude' },
];

const EQUATOR = 2 ** 31;
/** Altitude is centimetres above 100 000 m below the reference spheroid. */
const ALTITUDE_BASE = 10_000_000;

/** A decimal with at most `decimals` places, as an integer of those units. */
function fixed(text: string, decimals: number, what: string): number {
  const m = new RegExp(`^(-?)(\\d+)(?:\\.(\\d{1,${decimals}}))?$`).exec(text);
  if (!m) throw new ValueError(`LOC ${what} "${text}" is not a number with at most ${decimals} decimals`);
  const v = Number(m[2]) * 10 ** decimals + Number((m[3] ?? '').padEnd(decimals, '0'));
  return m[1] ? -v : v;
}

/** A size in centimetres as RFC 1876's mantissa and power of ten in one octet. */
function precision(cm: number, what: string): number {
  if (cm < 0 || cm > 9_000_000_000) throw new ValueError(`LOC ${what} must be from 0 to 90000000.00m`);
  let exp = 0;
  while (exp < 9 && cm >= 10 ** (exp + 1)) exp++;
  return (Math.floor(cm / 10 ** exp) << 4) | exp;
}

/** Centimetres from the octet (a mantissa or exponent above 9 is read modulo 10, as BIND does). */
const centimetres = (p: number) => ((p >> 4) % 10) * 10 ** ((p & 15) % 10);

function sizeText(p: number): string {
  const mantissa = (p >> 4) % 10;
  const exp = (p & 15) % 10;
  return exp >= 2 ? `${mantissa * 10 ** (exp - 2)}m` : `0.${String(mantissa * 10 ** exp).padStart(2, '0')}m`;
}

/** Thousandths of arc seconds from degrees, minutes, seconds and a hemisphere. */
function angle(deg: number, min: number, secMs: number, negative: boolean, max: number, what: string): number {
  if (deg > max || min > 59 || secMs > 59_999 || deg * 3_600_000 + min * 60_000 + secMs > max * 3_600_000) {
    throw new ValueError(`LOC ${what} is out of range (at most ${max} degrees, 59 minutes, 59.999 seconds)`);
  }
  const ms = deg * 3_600_000 + min * 60_000 + secMs;
  return negative ? EQUATOR - ms : EQUATOR + ms;
}

function angleParts(v: number): { deg: number; min: number; sec: number; ms: number; positive: boolean } {
  const positive = v >= EQUATOR;
  let ms = positive ? v - EQUATOR : EQUATOR - v;
  const deg = Math.floor(ms / 3_600_000);
  ms -= deg * 3_600_000;
  const min = Math.floor(ms / 60_000);
  ms -= min * 60_000;
  return { deg, min, sec: Math.floor(ms / 1000), ms: ms % 1000, positive };
}

function parseLoc(args: TextArgs): Buffer {
  let i = 0;
  const token = (what: string) => {
    if (i >= args.count) args.fail(args.count - 1, `LOC record is missing its ${what}`);
    return args.text(i++, (t) => t);
  };
  const uintAt = (j: number, max: number, what: string) => args.text(j, (t) => {
    if (!/^\d+$/.test(t) || Number(t) > max) throw new ValueError(`LOC ${what} "${t}" must be an integer from 0 to ${max}`);
    return Number(t);
  });
  const coordinate = (hemispheres: string, max: number, what: string): number => {
    token(`${what} degrees`);
    const deg = uintAt(i - 1, max, `${what} degrees`);
    let min = 0;
    let sec = 0;
    const next = () => token(`${what} direction`).toUpperCase();
    let word = next();
    if (!hemispheres.includes(word)) {
      min = uintAt(i - 1, 59, `${what} minutes`);
      word = next();
      if (!hemispheres.includes(word)) {
        sec = args.text(i - 1, (t) => fixed(t, 3, `${what} seconds`));
        word = next();
      }
    }
    if (!hemispheres.includes(word)) args.fail(i - 1, `LOC ${what} direction must be ${hemispheres[0]} or ${hemispheres[1]}`);
    return args.text(i - 1, () => angle(deg, min, sec, word === hemispheres[1], max, what));
  };
  const lat = coordinate('NS', 90, 'latitude');
  const long = coordinate('EW', 180, 'longitude');
  const metres = (j: number, what: string) => args.text(j, (t) => fixed(t.replace(/m$/i, ''), 2, what));
  token('altitude');
  const alt = metres(i - 1, 'altitude');
  if (alt < -10_000_000 || alt > 4_284_967_295) args.fail(i - 1, 'LOC altitude must be from -100000.00m to 42849672.95m');
  const sizes: number[] = [];
  for (const [what, dflt] of [['size', 100], ['horizontal precision', 1_000_000], ['vertical precision', 1000]] as const) {
    sizes.push(i < args.count ? args.text(i, (t) => precision(fixed(t.replace(/m$/i, ''), 2, what), what)) : precision(dflt, what));
    i++;
  }
  if (i < args.count) args.fail(i, `unexpected "${args.text(i, (t) => t)}" after the LOC data`);
  return encodeFields(fields, [0, ...sizes, lat, long, alt + ALTITUDE_BASE]);
}

function printLoc(rdata: Buffer): string {
  const [, size, hp, vp, lat, long, alt] = decodeFields(fields, 'LOC', rdata) as number[];
  const coord = (v: number, dirs: string) => {
    const p = angleParts(v);
    return `${p.deg} ${p.min} ${p.sec}.${String(p.ms).padStart(3, '0')} ${p.positive ? dirs[0] : dirs[1]}`;
  };
  const above = alt! - ALTITUDE_BASE;
  const a = Math.abs(above);
  const altitude = `${above < 0 ? '-' : ''}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}m`;
  return `${coord(lat!, 'NS')} ${coord(long!, 'EW')} ${altitude} ${sizeText(size!)} ${sizeText(hp!)} ${sizeText(vp!)}`;
}

/** A YAML number field (octoDNS writes floats) as an integer of 10^-decimals units. */
function yamlFixed(v: YamlValue, key: string, decimals: number): number {
  const node = v.field(key, 'LOC');
  const text = node.text(`LOC ${key}`);
  try {
    return fixed(text, decimals, key);
  } catch (e) {
    return node.fail((e as Error).message);
  }
}

function parseYaml(v: YamlValue): Buffer {
  const coordinate = (prefix: 'lat' | 'long', dirs: string, max: number) => {
    const dirNode = v.field(`${prefix}_direction`, 'LOC');
    const dir = dirNode.text(`LOC ${prefix}_direction`).toUpperCase();
    if (dir.length !== 1 || !dirs.includes(dir)) dirNode.fail(`LOC ${prefix}_direction must be ${dirs[0]} or ${dirs[1]}`);
    try {
      return angle(v.uint(`${prefix}_degrees`, 8, 'LOC'), v.uint(`${prefix}_minutes`, 8, 'LOC'), yamlFixed(v, `${prefix}_seconds`, 3), dir === dirs[1], max, prefix === 'lat' ? 'latitude' : 'longitude');
    } catch (e) {
      return v.fail((e as Error).message);
    }
  };
  const lat = coordinate('lat', 'NS', 90);
  const long = coordinate('long', 'EW', 180);
  const alt = yamlFixed(v, 'altitude', 2);
  const size = (key: string) => {
    try {
      return precision(yamlFixed(v, key, 2), key);
    } catch (e) {
      return v.field(key, 'LOC').fail((e as Error).message);
    }
  };
  return encodeFields(fields, [0, size('size'), size('precision_horz'), size('precision_vert'), lat, long, alt + ALTITUDE_BASE]);
}

function printYaml(rdata: Buffer): Record<string, unknown> {
  const [, size, hp, vp, lat, long, alt] = decodeFields(fields, 'LOC', rdata) as number[];
  const out: Record<string, unknown> = {};
  for (const [prefix, v, dirs] of [['lat', lat!, 'NS'], ['long', long!, 'EW']] as const) {
    const p = angleParts(v);
    Object.assign(out, {
      [`${prefix}_degrees`]: p.deg, [`${prefix}_minutes`]: p.min, [`${prefix}_seconds`]: p.sec + p.ms / 1000,
      [`${prefix}_direction`]: p.positive ? dirs[0] : dirs[1],
    });
  }
  return { ...out, altitude: (alt! - ALTITUDE_BASE) / 100, size: centimetres(size!) / 100, precision_horz: centimetres(hp!) / 100, precision_vert: centimetres(vp!) / 100 };
}

export const LOC = plainType(29, 'LOC', fields, false, {
  ownTokenCount: true,
  parseText: parseLoc,
  printText: printLoc,
  yaml: { parse: parseYaml, print: (rdata) => ({ value: printYaml(rdata) }) },
});
