// The NOTIFY sender's side: an acknowledgement counts only when it comes from
// the secondary's own address and port, with the ID we sent.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { Notifier } from '../../src/transfer/notify.js';
import { defaultTransferSettings } from '../../src/transfer/settings.js';
import { Name } from '../../src/wire/name.js';
import { parseYamlZone } from '../../src/zone/yaml.js';
import { type Zone } from '../../src/zone/zone.js';
import { buildZone } from '../../src/zone/build-zone.js';

const origin = Name.parse('corp.example.');
function zone(serial: number): Zone {
  const text = `'':\n  - type: SOA\n    value: {mname: ns1, rname: h, serial: ${serial}, refresh: 3600, retry: 600, expire: 1209600, minimum: 300}\n  - type: NS\n    value: ns1\nns1:\n  type: A\n  value: 192.0.2.1\n`;
  return buildZone(origin, 'z.yaml', parseYamlZone(text, 'z.yaml', origin, 3600).records, { serial, ttl: 3600 }).zone;
}

const bind = (address: string, port = 0) => new Promise<dgram.Socket>((resolve) => {
  const s = dgram.createSocket('udp4');
  s.bind(port, address, () => resolve(s));
});

/** The acknowledgement of `notify`: the same ID and opcode, QR set. */
function ack(notify: Buffer): Buffer {
  const out = Buffer.from(notify.subarray(0, 12));
  out.writeUInt16BE(notify.readUInt16BE(2) | 0x8000, 2);
  out.writeUInt16BE(0, 4);
  out.writeUInt16BE(0, 6);
  return out;
}

describe('Notifier', () => {
  it('ignores an acknowledgement from another address on the secondary\'s port', async () => {
    const secondary = await bind('127.0.0.1');
    const port = secondary.address().port;
    // Same port, another loopback address: what a spoofer elsewhere can send from.
    const forger = await bind('127.0.0.2', port);
    const lines: { msg: string; attempt?: number }[] = [];
    const logger = pino({ base: undefined }, new Writable({ write(chunk, _e, done) { lines.push(JSON.parse(String(chunk))); done(); } }));
    const settings = defaultTransferSettings();
    settings.defaults.alsoNotify = [{ host: '127.0.0.1', port, family: 4 }];
    const notifier = new Notifier(settings, logger);
    const received: Buffer[] = [];
    secondary.on('message', (msg, from) => {
      received.push(msg);
      // The first try is answered only by the forger; the second by the secondary itself.
      if (received.length === 1) forger.send(ack(msg), from.port, from.address);
      else secondary.send(ack(msg), from.port, from.address);
    });
    try {
      notifier.zoneLoaded(zone(2), zone(1));
      // The second try comes after a 1 s silence; 5 s is plenty either way.
      for (let waited = 0; !lines.some((l) => l.msg === 'NOTIFY acknowledged') && waited < 5000; waited += 10) await new Promise((r) => setTimeout(r, 10));
      const acks = lines.filter((l) => l.msg === 'NOTIFY acknowledged');
      assert.deepEqual(acks.map((l) => l.attempt), [2], 'the forged answer to the first try did not count');
    } finally {
      notifier.close();
      secondary.close();
      forger.close();
    }
  });
});
