// A response decoded by dns2 (a second, independent implementation of the
// format) and written out as dig presents it, so that the answer tables compare
// in-process responses with the same strings as dig's output.
import dns2 from 'dns2';
import type { DigResult, Record_ } from '../../e2e/harness.js';

const { Packet } = dns2;

type Resource = ReturnType<typeof Packet.parse>['answers'][number];

/**
 * The sections as the e2e harness parses dig's output, without its raw text;
 * but owners and the question keep the case they came back in.
 */
export type Presented = Omit<DigResult, 'edns' | 'raw'>;

const RCODE_NAME = Object.fromEntries(Object.entries(Packet.RCODE).map(([name, code]) => [code, name]));
const FLAGS = ['qr', 'aa', 'tc', 'rd', 'ra', 'ad', 'cd'] as const;

/** dns2 gives names without the final dot, and the root as ''. */
const fqdn = (name: string): string => `${name}.`;

/** A character-string as dig prints it: quoted, with `"` and `\` escaped. */
const quoted = (s: string): string => `"${s.replace(/["\\]/g, '\\$&')}"`;

/** DNAME (RFC 6672), which dns2 does not know: it keeps the data as octets. */
const DNAME = 39;

/** An uncompressed name in wire form (a DNAME's target is never compressed, RFC 6672 §2.5), as dig prints it. */
function wireName(octets: Buffer): string {
  const labels: string[] = [];
  for (let at = 0; octets[at]! !== 0; at += octets[at]! + 1) labels.push(octets.subarray(at + 1, at + 1 + octets[at]!).toString('latin1'));
  return labels.length ? `${labels.join('.')}.` : '.';
}

/** RDATA in dig's presentation, for the types the answer fixtures hold. */
function data(r: Resource): string {
  const x = r as Resource & Record<string, unknown>;
  switch (r.type) {
    case Packet.TYPE.A:
    case Packet.TYPE.AAAA: return String(x.address);
    case Packet.TYPE.NS: return fqdn(String(x.ns));
    case Packet.TYPE.CNAME: return fqdn(String(x.domain));
    case Packet.TYPE.MX: return `${x.priority} ${fqdn(String(x.exchange))}`;
    case Packet.TYPE.SRV: return `${x.priority} ${x.weight} ${x.port} ${fqdn(String(x.target))}`;
    case Packet.TYPE.TXT: return (x.data as string[]).map(quoted).join(' ');
    case DNAME: return wireName(x.data as Buffer);
    case Packet.TYPE.SOA:
      return `${fqdn(String(x.primary))} ${fqdn(String(x.admin))} ${x.serial} ${x.refresh} ${x.retry} ${x.expiration} ${x.minimum}`;
    default: throw new Error(`no presentation for type ${r.type} (add it to present.ts)`);
  }
}

function records(list: Resource[]): Record_[] {
  return list.filter((r) => r.type !== Packet.TYPE.EDNS).map((r) => ({
    name: fqdn(r.name), ttl: r.ttl, class: 'IN', type: r.type === DNAME ? 'DNAME' : Packet.typeName(r.type), data: data(r),
  }));
}

/** Decodes a response, failing on anything dns2 cannot read. */
export function present(response: Buffer): Presented {
  const p = Packet.parse(response);
  if (p.errors.length) throw new Error(`dns2 cannot decode the response: ${p.errors[0]!.message}`);
  const h = p.header as unknown as Record<string, number>;
  return {
    status: RCODE_NAME[p.header.rcode] ?? `RCODE${p.header.rcode}`,
    flags: FLAGS.filter((f) => h[f]),
    question: p.questions.map((q) => `${fqdn(q.name)} IN ${Packet.typeName(q.type)}`),
    answer: records(p.answers),
    authority: records(p.authorities),
    additional: records(p.additionals),
  };
}
