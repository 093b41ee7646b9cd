import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import dns2 from 'dns2';
import { Name } from '../../src/wire/name.js';
import { parseQuery } from '../../src/wire/query.js';
import { MAX_FUDGE, ResponseSigner, sign, TsigError, verifyRequest, type TsigKey } from '../../src/wire/tsig.js';
import { checkReply, signRequest } from './tsig-client.js';

const { Packet } = dns2;
const key: TsigKey = { name: Name.parse('transfer-key.'), algorithm: 'hmac-sha256', secret: Buffer.from('an obvious test secret') };
const keyring = new Map([[key.name.key, key]]);

function query(): Buffer {
  const q = new Packet();
  q.header.id = 99;
  q.questions.push(Object.assign(new Packet.Question(), { name: 'corp.example', type: Packet.TYPE.SOA, class: 1 }));
  return q.toBuffer();
}

const signedQuery = (k = key, time?: number) => sign(query(), { key: k, timeSigned: time }).message;

describe('TSIG', () => {
  it('a request we signed verifies, and the response verifies against the request MAC', () => {
    const msg = signedQuery();
    const parsed = parseQuery(msg);
    assert.ok(parsed.tsig);
    const v = verifyRequest(msg, parsed.tsig, keyring);
    assert.equal(v.ok, true);
    const signer = new ResponseSigner(key, parsed.tsig);
    const response = signer.sign(query());
    assert.equal(response.readUInt16BE(10), 1, 'ARCOUNT counts the TSIG record');
    assert.ok(parseQuery(response).tsig, 'the response carries a TSIG record');
  });

  it('BADKEY for a key we do not know', () => {
    const other: TsigKey = { ...key, name: Name.parse('other-key.') };
    const msg = signedQuery(other);
    const v = verifyRequest(msg, parseQuery(msg).tsig!, keyring);
    assert.ok(!v.ok && v.error === TsigError.BADKEY);
  });

  it('BADSIG for a wrong secret or a message changed in transit', () => {
    const wrong = signedQuery({ ...key, secret: Buffer.from('something else') });
    const v1 = verifyRequest(wrong, parseQuery(wrong).tsig!, keyring);
    assert.ok(!v1.ok && v1.error === TsigError.BADSIG);
    const tampered = signedQuery();
    tampered[tampered.indexOf('corp') + 1] ^= 0x20; // "cOrp": same name, different bytes
    const v2 = verifyRequest(tampered, parseQuery(tampered).tsig!, keyring);
    assert.ok(!v2.ok && v2.error === TsigError.BADSIG);
  });

  it('BADTIME outside the fudge window, checked after the MAC', () => {
    const old = signedQuery(key, Math.floor(Date.now() / 1000) - 3600);
    const v = verifyRequest(old, parseQuery(old).tsig!, keyring);
    assert.ok(!v.ok && v.error === TsigError.BADTIME);
  });

  it('a MAC shorter than half the hash or 10 octets is BADSIG, even when it matches; an empty one above all', () => {
    const client = { name: 'transfer-key', secret: key.secret };
    const verify = (mac: (real: Buffer) => Buffer) => {
      const { message } = signRequest(query(), client, { mac });
      return verifyRequest(message, parseQuery(message).tsig!, keyring);
    };
    assert.equal(verify((real) => real).ok, true, 'the full MAC');
    assert.equal(verify((real) => real.subarray(0, 16)).ok, true, 'truncated to half of HMAC-SHA256: allowed (RFC 8945 §5.2.2.1)');
    for (const size of [15, 9, 1, 0]) {
      const v = verify((real) => real.subarray(0, size));
      assert.ok(!v.ok && v.error === TsigError.BADSIG, `a ${size}-octet prefix of the right MAC must not verify`);
    }
  });

  it(`a request's fudge counts for at most ${MAX_FUDGE} s`, () => {
    const client = { name: 'transfer-key', secret: key.secret };
    const now = Math.floor(Date.now() / 1000);
    const replayed = signRequest(query(), client, { time: now - 3000, fudge: 36000 }).message;
    const v = verifyRequest(replayed, parseQuery(replayed).tsig!, keyring, now);
    assert.ok(!v.ok && v.error === TsigError.BADTIME, 'signed 50 minutes ago, claiming a 10-hour window');
    const recent = signRequest(query(), client, { time: now - 200, fudge: 36000 }).message;
    assert.equal(verifyRequest(recent, parseQuery(recent).tsig!, keyring, now).ok, true, 'within 300 s');
  });

  it('the independent client agrees with our signer', () => {
    const client = { name: 'transfer-key', secret: key.secret };
    const request = signRequest(query(), client);
    const tsig = parseQuery(request.message).tsig!;
    assert.equal(verifyRequest(request.message, tsig, keyring).ok, true);
    const reply = new ResponseSigner(key, tsig).sign(query());
    assert.equal(checkReply(reply, request.mac, client).verified, true);
    const wrong = { ...client, secret: Buffer.from('other') };
    assert.equal(checkReply(reply, request.mac, wrong).verified, false);
  });

  it('a TSIG record that is not last is malformed', () => {
    const msg = signedQuery();
    const withExtra = Buffer.concat([msg, Buffer.from([0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 0])]);
    withExtra.writeUInt16BE(withExtra.readUInt16BE(10) + 1, 10);
    assert.throws(() => parseQuery(withExtra), /TSIG record/);
  });
});
