// TSIG end to end: every reply to a signed request is signed, whichever path
// built it — a local answer, one forwarded to an upstream, a NOTIFY
// acknowledgement, a BADTIME refusal — and a real client (dig -y) or the
// independent client of test/wire/tsig-client.ts checks its MAC.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { query, REPO, startRotor, tempDir, type Rotor } from './harness.js';
import { decode, makeQuery, Packet, udpExchange } from './raw.js';
import { answerWith, fakeUpstream, type FakeUpstream } from '../resolver/fake-upstream.js';
import { checkReply, signRequest } from '../wire/tsig-client.js';

const SECRET = 'cm90b3ItdGVzdC1rZXktbm90LWEtcmVhbC1zZWNyZXQ='; // an obvious test key
const KEY = { name: 'transfer-key', secret: Buffer.from(SECRET, 'base64') };
const DIG_KEY = ['-y', `hmac-sha256:transfer-key:${SECRET}`];
const NOTIFY = 4;

/** A query with `opcode` and RD as given, built by dns2. */
function request(name: string, type: number, opcode = 0, rd = false): Buffer {
  const msg = makeQuery(name, type, 0x5150);
  msg.writeUInt16BE((opcode << 11) | (rd ? 0x0100 : 0), 2);
  return msg;
}

describe('TSIG on every reply', () => {
  let rotor: Rotor;
  let upstream: FakeUpstream;

  before(async () => {
    upstream = await fakeUpstream((q) => [answerWith(q, ['192.0.2.80'])]);
    const config = join(await tempDir(), 'rotor.yaml');
    await writeFile(config, [
      'keys:',
      `  transfer-key: { algorithm: hmac-sha256, secret: "${SECRET}" }`,
      'forward:',
      `  upstreams: [127.0.0.1:${upstream.address.port}]`,
      '  allow-recursion: [127.0.0.1/32]',
      '',
    ].join('\n'));
    rotor = await startRotor(join(REPO, 'zones'), ['--config', config]);
  });
  after(async () => {
    await rotor?.stop();
    await upstream?.close();
  });

  /** Sends `msg` signed and returns the decoded reply with the check of its TSIG. */
  async function signedExchange(msg: Buffer, opts: Parameters<typeof signRequest>[2] = {}) {
    const { message, mac } = signRequest(msg, KEY, opts);
    const reply = await udpExchange(rotor, message, 3000);
    assert.ok(reply, 'an answer');
    return { packet: decode(reply), check: checkReply(reply, mac, KEY) };
  }

  it('a signed ordinary query gets a reply whose MAC dig verifies', async () => {
    const r = await query(rotor, 'corp.example', 'SOA', { options: DIG_KEY });
    assert.equal(r.status, 'NOERROR', r.raw);
    assert.match(r.raw, /TSIG\s+hmac-sha256\. \d+ 300 32 \S+ \d+ NOERROR 0/, 'the reply carries a TSIG record');
    assert.doesNotMatch(r.raw, /Couldn't verify|tsig verify failure|expected a TSIG/i, r.raw);
  });

  it('a signed query that is forwarded comes back signed, and dig verifies it', async () => {
    const r = await query(rotor, 'www.upstream.test', 'A', { options: ['+rec', ...DIG_KEY] });
    assert.equal(r.status, 'NOERROR', r.raw);
    assert.deepEqual(r.answer.map((a) => a.data), ['192.0.2.80']);
    assert.doesNotMatch(r.raw, /Couldn't verify|tsig verify failure|expected a TSIG/i, r.raw);
    assert.match(r.raw, /TSIG\s+hmac-sha256\./, r.raw);
    // The second time it comes from the cache, also later than the pipeline's synchronous return.
    const { packet, check } = await signedExchange(request('www.upstream.test', Packet.TYPE.A, 0, true));
    assert.deepEqual([packet.header.rcode, packet.header.ra, check.verified, check.error], [0, 1, true, 0]);
  });

  it('a request signed too long ago gets BADTIME, signed, with the server\'s clock in other data', async () => {
    const time = Math.floor(Date.now() / 1000) - 3600;
    const { packet, check } = await signedExchange(request('corp.example', Packet.TYPE.SOA), { time });
    assert.equal(packet.header.rcode, 9, 'NOTAUTH');
    assert.equal(check.error, 18, 'BADTIME');
    assert.equal(check.verified, true, 'signed over the request MAC');
    assert.equal(check.time, time, 'signed with the request\'s time (RFC 8945 §5.2.3), so the client can check it');
    const server = check.other!.readUInt16BE(0) * 2 ** 32 + check.other!.readUInt32BE(2);
    assert.ok(Math.abs(server - Date.now() / 1000) < 60, `other data carries the server's time: ${server}`);
  });

  it('a fudge beyond 300 s does not widen the window', async () => {
    const time = Math.floor(Date.now() / 1000) - 3600;
    const { check } = await signedExchange(request('corp.example', Packet.TYPE.SOA), { time, fudge: 65535 });
    assert.equal(check.error, 18, 'BADTIME, although 3600 s is inside the fudge the request claims');
  });

  it('incoming NOTIFY: acknowledged with AA for a zone served here, NOTAUTH for others; signed replies to signed ones', async () => {
    const cases = [
      { zone: 'corp.example', signed: false, rcode: 0, aa: 1 },
      { zone: 'corp.example', signed: true, rcode: 0, aa: 1 },
      { zone: 'elsewhere.test', signed: false, rcode: 9, aa: 0 },
      { zone: 'elsewhere.test', signed: true, rcode: 9, aa: 0 },
    ];
    for (const c of cases) {
      const msg = request(c.zone, Packet.TYPE.SOA, NOTIFY);
      const what = `${c.signed ? 'signed' : 'unsigned'} NOTIFY for ${c.zone}`;
      let packet;
      if (c.signed) {
        const r = await signedExchange(msg);
        assert.deepEqual([r.check.verified, r.check.error], [true, 0], `${what}: the reply is signed`);
        packet = r.packet;
      } else {
        const reply = await udpExchange(rotor, msg, 3000);
        assert.ok(reply, what);
        packet = decode(reply);
        assert.equal(packet.additionals.length, 0, `${what}: no TSIG in the reply`);
      }
      assert.deepEqual([packet.header.opcode, packet.header.qr, packet.header.rcode, packet.header.aa], [NOTIFY, 1, c.rcode, c.aa], what);
    }
    const received = rotor.logs.filter((l) => l.msg === 'NOTIFY received');
    assert.ok(received.length >= 1, 'logged');
    assert.ok(received.every((l) => l.served === (l.zone === 'corp.example.')), JSON.stringify(received));
  });
});
