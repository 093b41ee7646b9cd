// Record data on the wire. Names in the RDATA of the types RFC 1035 defined may
// be compressed; names in later types (SRV, RFC 2782) must not be (RFC 3597 §4).
import type { Name } from './name.js';
import { MessageWriter } from './writer.js';

// Record data as the zone loaders produce it and the codec writes it. Names are
// Names (the codec may compress some of them); everything else is kept in the
// form that writes straight to the wire.
export type RData =
  | { kind: 'A'; address: string; bytes: Buffer }
  | { kind: 'AAAA'; address: string; bytes: Buffer }
  | { kind: 'NS'; target: Name }
  | { kind: 'CNAME'; target: Name }
  | { kind: 'PTR'; target: Name }
  | { kind: 'MX'; preference: number; exchange: Name }
  | { kind: 'SRV'; priority: number; weight: number; port: number; target: Name }
  | { kind: 'TXT'; strings: Buffer[] }
  | { kind: 'SPF'; strings: Buffer[] }
  | { kind: 'CAA'; flags: number; tag: string; value: Buffer }
  | {
      kind: 'SOA'; mname: Name; rname: Name; serial: number;
      refresh: number; retry: number; expire: number; minimum: number;
    }
  /** Any other type, as opaque octets (RFC 3597). */
  | { kind: 'GENERIC'; type: number; data: Buffer };


export function writeRData(w: MessageWriter, rd: RData): void {
  switch (rd.kind) {
    case 'A':
    case 'AAAA':
      w.bytes(rd.bytes);
      return;
    case 'NS':
    case 'CNAME':
    case 'PTR':
      w.name(rd.target, true);
      return;
    case 'MX':
      w.u16(rd.preference);
      w.name(rd.exchange, true);
      return;
    case 'SRV':
      w.u16(rd.priority);
      w.u16(rd.weight);
      w.u16(rd.port);
      w.name(rd.target, false);
      return;
    case 'TXT':
    case 'SPF':
      for (const s of rd.strings) w.characterString(s);
      return;
    case 'CAA':
      w.u8(rd.flags);
      w.characterString(Buffer.from(rd.tag, 'latin1'));
      w.bytes(rd.value);
      return;
    case 'SOA':
      w.name(rd.mname, true);
      w.name(rd.rname, true);
      w.u32(rd.serial);
      w.u32(rd.refresh);
      w.u32(rd.retry);
      w.u32(rd.expire);
      w.u32(rd.minimum);
      return;
    case 'GENERIC':
      w.bytes(rd.data);
      return;
  }
}

/** The uncompressed RDATA, as used for comparing records and for RFC 3597 output. */
const scratch = new MessageWriter(65535, false);
export function encodeRData(rd: RData): Buffer {
  scratch.reset();
  writeRData(scratch, rd);
  return scratch.result();
}
