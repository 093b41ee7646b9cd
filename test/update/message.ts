// UPDATE messages (RFC 2136 §2) built by hand for the tests: names and data
// uncompressed, unsigned (the tests hand the key to Updates directly).
import { Name } from '../../src/wire/name.js';
import { MessageWriter } from '../../src/wire/writer.js';
import { Opcode, RRClass, RRType } from '../../src/wire/types.js';

export interface Rr {
  owner: Name;
  type: number;
  class: number;
  ttl: number;
  rdata: Buffer;
}

export function updateMessage(zone: Name, prerequisites: Rr[], updates: Rr[], id = 0x1234): Buffer {
  const w = new MessageWriter(65535, false);
  w.u16(id);
  w.u16(Opcode.UPDATE << 11);
  w.u16(1);
  w.u16(prerequisites.length);
  w.u16(updates.length);
  w.u16(0);
  w.name(zone, false);
  w.u16(RRType.SOA);
  w.u16(RRClass.IN);
  for (const rr of [...prerequisites, ...updates]) {
    w.name(rr.owner, false);
    w.u16(rr.type);
    w.u16(rr.class);
    w.u32(rr.ttl);
    w.u16(rr.rdata.length);
    w.bytes(rr.rdata);
  }
  return w.result();
}
