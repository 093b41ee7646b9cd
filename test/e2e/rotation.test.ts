// The mission's demonstration: the mail domain's MX set and the gateways'
// addresses turn one step per answer, visible to anyone with dig.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { query, REPO, startRotor, tempDir, type Rotor } from './harness.js';

describe('rotation seen through dig and kdig', () => {
  let rotor: Rotor;
  before(async () => {
    rotor = await startRotor({ 'corp.example.yaml': await readFile(join(REPO, 'zones', 'corp.example.yaml'), 'utf8') });
  });
  after(async () => { await rotor.stop(); });

  for (const [tool, tcp] of [['dig', false], ['dig', true], ['kdig', false], ['kdig', true]] as const) {
    it(`four consecutive MX queries give four distinct orders (${tool}, ${tcp ? 'TCP' : 'UDP'})`, async () => {
      const orders: string[] = [];
      const mx1: string[] = [];
      for (let i = 0; i < 4; i++) {
        const r = await query(rotor, 'corp.example', 'MX', { tcp, tool });
        assert.equal(r.status, 'NOERROR');
        assert.equal(r.answer.length, 5);
        orders.push(r.answer.map((a) => a.data).join(','));
        mx1.push(r.additional.filter((a) => a.name === 'mx1.corp.example.' && a.type === 'A').map((a) => a.data).join(','));
      }
      assert.equal(new Set(orders).size, 4, `orders: ${orders.join(' | ')}`);
      // Each order is the previous one turned by one step, preferences included.
      for (let i = 1; i < 4; i++) {
        const prev = orders[i - 1]!.split(',');
        assert.equal(orders[i], [...prev.slice(1), prev[0]].join(','));
      }
      // mx1's two addresses alternate in the additional section.
      assert.deepEqual(new Set(mx1).size, 2, `mx1 additional: ${mx1.join(' | ')}`);
      assert.equal(mx1[0], mx1[2]);
      assert.equal(mx1[1], mx1[3]);
      assert.notEqual(mx1[0], mx1[1]);
    });
  }

  it('direct A queries for a two-address gateway alternate', async () => {
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await query(rotor, 'mx2.corp.example', 'A');
      seen.push(r.answer.map((a) => a.data).join(','));
    }
    assert.deepEqual(seen, [seen[0], seen[1], seen[0], seen[1]]);
    assert.notEqual(seen[0], seen[1]);
  });

  it('SOA never rotates and single records stay put', async () => {
    const a = await query(rotor, 'corp.example', 'SOA');
    const b = await query(rotor, 'corp.example', 'SOA');
    assert.deepEqual(a.answer, b.answer);
    assert.equal(a.answer.length, 1);
  });
});

describe('rotation policies set in rotor.yaml', () => {
  let rotor: Rotor;
  before(async () => {
    const dir = await tempDir({
      'rotor.yaml': [
        'rotation:',
        '  policy: cyclic',
        '  zones: { corp.example: random }',
        '  names:',
        '    - { name: corp.example, type: MX, policy: fixed }',
        '    - { name: mx2.corp.example, policy: cyclic }',
        '',
      ].join('\n'),
    });
    rotor = await startRotor({ 'corp.example.yaml': await readFile(join(REPO, 'zones', 'corp.example.yaml'), 'utf8') }, ['--config', join(dir, 'rotor.yaml')]);
  });
  after(async () => { await rotor.stop(); });

  const orders = async (name: string, type: string, n: number) => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push((await query(rotor, name, type)).answer.map((a) => a.data).join(','));
    return out;
  };

  it('fixed for the MX set: the order written in the zone, every time', async () => {
    const seen = await orders('corp.example', 'MX', 4);
    assert.equal(new Set(seen).size, 1);
    assert.match(seen[0]!, /^10 mx1\.corp\.example\.,10 mx2/);
  });

  it('random for the rest of the zone: many different orders', async () => {
    const seen = await orders('intranet.corp.example', 'A', 30);
    // 30 draws from 6 orders: all 6 appear with probability > 0.99.
    assert.ok(new Set(seen).size >= 4, seen.join(' | '));
  });

  it('cyclic for one name', async () => {
    const seen = await orders('mx2.corp.example', 'A', 4);
    assert.deepEqual(seen, [seen[0], seen[1], seen[0], seen[1]]);
    assert.notEqual(seen[0], seen[1]);
  });
});
