// What any reply to any message must look like, judged without our own codec:
// dns2 decodes both the request (for its EDNS size) and the reply.
import dns2 from 'dns2';
import type { Transport } from '../../src/net/context.js';

const { Packet } = dns2;

const FORMERR = 1;
const NOTIMP = 4;
const REFUSED = 5;
const ERRORS = new Set([FORMERR, NOTIMP, REFUSED]);

/** The largest reply the request allows: 512 octets without EDNS, its EDNS size up to 1232 with. */
export function allowedSize(request: Buffer, transport: Transport): number {
  if (transport === 'tcp') return 65535;
  let opt: { class: number } | undefined;
  try {
    opt = Packet.parse(request).additionals.find((r) => r.type === Packet.TYPE.EDNS);
  } catch {
    // No readable header: nothing in it allows more than 512.
  }
  return opt ? Math.max(512, Math.min(opt.class, 1232)) : 512;
}

/** Why `reply` is not an acceptable answer to `request`, or undefined when it is. */
export function problemWith(request: Buffer, reply: Buffer | undefined, transport: Transport): string | undefined {
  const answerable = request.length >= 12 && (request.readUInt16BE(2) & 0x8000) === 0;
  if (!answerable) return reply ? 'replied to a runt or a response' : undefined;
  if (!reply) return 'no reply to a query';
  const limit = allowedSize(request, transport);
  if (reply.length > limit) return `reply of ${reply.length} octets where ${limit} are allowed`;
  let parsed: ReturnType<typeof Packet.parse>;
  try {
    parsed = Packet.parse(reply);
  } catch (e) {
    return `dns2 cannot parse the reply: ${(e as Error).message}`;
  }
  if (parsed.errors.length) return `dns2 cannot parse the reply: ${parsed.errors[0]!.message}`;
  const h = parsed.header;
  if (h.id !== request.readUInt16BE(0)) return 'reply ID differs from the query ID';
  if (h.qr !== 1) return 'QR not set';
  if (h.opcode !== ((request.readUInt16BE(2) >> 11) & 0xf)) return 'opcode not copied';
  const counts: [string, number, number][] = [
    ['question', h.qdcount, parsed.questions.length], ['answer', h.ancount, parsed.answers.length],
    ['authority', h.nscount, parsed.authorities.length], ['additional', h.arcount, parsed.additionals.length],
  ];
  for (const [section, declared, found] of counts) {
    if (declared !== found) return `${section} count ${declared} but dns2 found ${found} records`;
  }
  if (ERRORS.has(h.rcode)) {
    if (h.ancount || h.nscount) return `rcode ${h.rcode} with records in answer or authority`;
    return undefined;
  }
  // Anything else is an answer to the question the request asked.
  if (h.qdcount !== 1) return `rcode ${h.rcode} without exactly one question`;
  let asked: { type: number; class: number } | undefined;
  try {
    asked = Packet.parse(request).questions[0];
  } catch {
    // Unreadable to dns2 but readable to us: compared no further.
  }
  const q = parsed.questions[0]!;
  if (asked && (asked.type !== q.type || asked.class !== q.class)) return 'question not echoed';
  return undefined;
}
