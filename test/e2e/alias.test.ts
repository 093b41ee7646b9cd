// ALIAS over the wire with real dig (loopback): answered from rotor's own zone,
// from another rotor as the upstream (forward.upstreams), SERVFAIL with the
// extended error for a loop, and carried in AXFR as PowerDNS carries it
// (TYPE65401, the target uncompressed). The full rows: test/query/answers/alias.ts
// and test/query/alias.test.ts, in-process.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { asSet, query, REPO, startRotor, tempDir, type Rotor } from './harness.js';

const EXTERNAL = `'':
  - type: SOA
    value: {mname: ns.example.net., rname: hostmaster.example.net., serial: 1, refresh: 7200, retry: 900, expire: 1209600, minimum: 600}
  - type: NS
    value: ns.example.net.
host:
  type: A
  ttl: 60
  value: 192.0.2.77
`;

describe('ALIAS with dig', () => {
  let upstream: Rotor;
  let rotor: Rotor;
  before(async () => {
    upstream = await startRotor({ 'example.net.yaml': EXTERNAL });
    const config = await tempDir({ 'rotor.yaml': `forward:\n  upstreams: [127.0.0.1:${upstream.port}]\nallow-transfer: [127.0.0.0/8]\n` });
    rotor = await startRotor(join(REPO, 'test', 'fixtures', 'alias'), ['--config', join(config, 'rotor.yaml')]);
  });
  after(async () => { await Promise.all([rotor?.stop(), upstream?.stop()]); });

  it('answers A and AAAA at the apex with the target\'s addresses, TTL the smaller', async () => {
    const a = await query(rotor, 'alias.test', 'A');
    assert.deepEqual([a.status, a.flags.includes('aa')], ['NOERROR', true]);
    assert.deepEqual(asSet(a.answer), ['alias.test. A 192.0.2.1', 'alias.test. A 192.0.2.2']);
    assert.deepEqual(a.answer.map((r) => r.ttl), [300, 300]);
    const aaaa = await query(rotor, 'alias.test', 'AAAA', { tcp: true });
    assert.deepEqual(aaaa.answer.map((r) => `${r.ttl} ${r.data}`), ['600 2001:db8::1']);
  });

  it('looks a target outside its zones up through forward.upstreams', async () => {
    const r = await query(rotor, 'outside.alias.test', 'A');
    assert.deepEqual(r.answer.map((x) => `${x.name} ${x.ttl} ${x.type} ${x.data}`), ['outside.alias.test. 60 A 192.0.2.77']);
  });

  it('answers SERVFAIL with the reason for a chain that loops', async () => {
    const r = await query(rotor, 'loop1.alias.test', 'A');
    assert.equal(r.status, 'SERVFAIL');
    assert.match(r.raw, /; EDE: 0 \(Other\): \(ALIAS at loop1\.alias\.test\.: the chain to its addresses loops/);
  });

  it('transfers the ALIAS as TYPE65401 in RFC 3597 form', async () => {
    const r = await query(rotor, 'alias.test', 'AXFR', { tcp: true });
    const alias = r.answer.filter((x) => x.name === 'alias.test.' && x.type === 'TYPE65401');
    assert.deepEqual(alias.map((x) => `${x.ttl} ${x.data}`), ['600 \\# 16 0377777705616C696173047465737400']);
  });
});
