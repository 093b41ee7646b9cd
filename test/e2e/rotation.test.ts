// The mission's demonstration: the mail domain's MX set and the gateways'
// addresses turn one step per answer, visible to anyone with dig.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { query, REPO, startRotor, type Rotor } from './harness.js';

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
