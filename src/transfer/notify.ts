// NOTIFY (RFC 1996): when a zone's serial changes, tell its secondaries so they
// fetch the new version now instead of at their next refresh. Each target is
// retried with back-off until it acknowledges; a newer serial replaces any
// retries still pending for the older one.
import dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import { EventLog, type Logger } from '../log.js';
import type { ListenAddress } from '../net/address.js';
import { formatHostPort } from '../net/address.js';
import { Flag, HEADER_LENGTH, opcodeOf } from '../wire/header.js';
import { writeRecord } from '../message/response.js';
import { presentation, targetOf } from '../rrtypes/registry.js';
import { soaMname } from '../rrtypes/soa.js';
import { sign } from '../wire/tsig.js';
import { Opcode, Rcode, rcodeName, RRClass, RRType } from '../wire/types.js';
import { MessageWriter } from '../wire/writer.js';
import type { Zone } from '../zone/zone.js';
import { settingsFor, type TransferSettings } from './settings.js';

/** First wait for an answer; doubled after each silence, for this many tries (BIND tries 5 times). */
const FIRST_TIMEOUT_MS = 1000;
const TRIES = 6;

export function notifyMessage(zone: Zone, id: number): Buffer {
  const w = new MessageWriter(512);
  w.buf.writeUInt16BE(id, 0);
  w.buf.writeUInt16BE((Opcode.NOTIFY << 11) | Flag.AA, 2);
  w.buf.writeUInt16BE(1, 4);
  w.buf.writeUInt16BE(1, 6);
  w.buf.writeUInt32BE(0, 8);
  w.pos = HEADER_LENGTH;
  w.name(zone.origin, true);
  w.u16(RRType.SOA);
  w.u16(RRClass.IN);
  // The new SOA as a hint (RFC 1996 §3.7), so a secondary can skip its SOA query.
  const soa = zone.soaRecord;
  writeRecord(w, soa.owner, soa.type, soa.ttl, soa.rdata);
  return w.result();
}

export class Notifier {
  /** zone/target → the serial being announced; a newer one makes older retries stop. */
  private readonly pending = new Map<string, number>();
  private readonly sockets = new Set<dgram.Socket>();
  private closed = false;

  constructor(private readonly settings: TransferSettings, private readonly logger: Logger, private readonly events = new EventLog(logger)) {}

  /** Everyone to tell about `zone`: also-notify, and with notify: ns the in-zone addresses of its NS hosts. */
  targets(zone: Zone): ListenAddress[] {
    const s = settingsFor(this.settings, zone.origin.key);
    if (s.notify === 'off') return [];
    const out = [...s.alsoNotify];
    if (s.notify === 'ns') {
      const ns = zone.rrset(0, RRType.NS);
      const mname = soaMname(zone.soa.rdata[0]!).key;
      for (const rd of ns?.rdata ?? []) {
        const target = targetOf(RRType.NS, rd)!;
        // The primary named in the SOA is us (RFC 1996 §3.6).
        if (target.key === mname) continue;
        for (const a of zone.get(target, RRType.A)?.rdata ?? []) out.push({ host: presentation(RRType.A, a), port: 53, family: 4 });
        for (const a of zone.get(target, RRType.AAAA)?.rdata ?? []) out.push({ host: presentation(RRType.AAAA, a), port: 53, family: 6 });
      }
    }
    return out;
  }

  /** Called for every zone loaded: notifies when a reload moved the serial. */
  zoneLoaded(zone: Zone, previous: Zone | undefined): void {
    if (!previous || previous.serial === zone.serial) return;
    for (const target of this.targets(zone)) {
      void this.notify(zone, target).catch((e: unknown) => {
        this.logger.error({ err: e, zone: zone.origin.toString(), target: formatHostPort(target) }, 'NOTIFY failed');
      });
    }
  }

  private async notify(zone: Zone, target: ListenAddress): Promise<void> {
    const key = `${zone.origin.key} ${formatHostPort(target)}`;
    const serial = zone.serial;
    this.pending.set(key, serial);
    const s = settingsFor(this.settings, zone.origin.key);
    const tsigKey = s.transferKey === undefined ? undefined : this.settings.keys.get(s.transferKey);
    const log = { zone: zone.origin.toString(), serial, target: formatHostPort(target) };
    let timeout = FIRST_TIMEOUT_MS;
    for (let attempt = 1; attempt <= TRIES; attempt++) {
      if (this.closed || this.pending.get(key) !== serial) return;
      const id = randomInt(0x10000);
      const plain = notifyMessage(zone, id);
      const msg = tsigKey ? sign(plain, { key: tsigKey }).message : plain;
      const rcode = await this.exchange(msg, id, target, timeout);
      if (rcode === Rcode.NOERROR) {
        this.logger.info({ ...log, attempt }, 'NOTIFY acknowledged');
        if (this.pending.get(key) === serial) this.pending.delete(key);
        return;
      }
      if (rcode !== undefined) {
        this.logger.warn({ ...log, attempt, rcode: rcodeName(rcode) }, 'NOTIFY refused by the secondary');
        return;
      }
      timeout *= 2;
    }
    this.logger.warn({ ...log, tries: TRIES }, 'NOTIFY not acknowledged: the secondary will catch up at its next refresh');
  }

  /** One try: the rcode of a matching answer, or undefined after `timeoutMs` of silence. */
  private exchange(msg: Buffer, id: number, target: ListenAddress, timeoutMs: number): Promise<number | undefined> {
    const socket = dgram.createSocket(target.family === 6 ? 'udp6' : 'udp4');
    this.sockets.add(socket);
    return new Promise((resolve) => {
      const done = (rcode: number | undefined) => {
        clearTimeout(timer);
        // close() may have closed it already, and closing twice throws.
        if (this.sockets.delete(socket)) socket.close();
        resolve(rcode);
      };
      const timer = setTimeout(() => done(undefined), timeoutMs);
      // A send that fails is one more silence: the next try, later, may get through.
      const failed = (e: unknown) => this.events.log('warn', 'NOTIFY send failed', { err: e, target: formatHostPort(target) }, 'could not send NOTIFY');
      socket.on('error', failed);
      socket.on('message', (reply, from) => {
        // Only the target's answer to this very message counts: anyone can send to our port and guess an ID.
        if (from.address !== target.host || from.port !== target.port || reply.length < HEADER_LENGTH || reply.readUInt16BE(0) !== id) return;
        const flags = reply.readUInt16BE(2);
        if (!(flags & Flag.QR) || opcodeOf(flags) !== Opcode.NOTIFY) return;
        done(flags & 0xf);
      });
      try {
        socket.send(msg, target.port, target.host, (e) => e && failed(e));
      } catch (e) {
        failed(e);
      }
    });
  }

  close(): void {
    this.closed = true;
    for (const s of this.sockets) s.close();
    this.sockets.clear();
  }
}
