// rotor behind a real Unbound, as a lab's resolver would use it: a stub-zone
// for the mail domain pointing at rotor. And a forwarding loop — Unbound told
// to forward a zone to rotor, rotor forwarding everything to Unbound — stopped
// at once with SERVFAIL.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { query, REPO, startRotor, tempDir, type Rotor } from '../harness.js';
import { onFreePorts, startUnbound, type Daemon } from '../daemons.js';

describe('behind Unbound', () => {
  let unbound: Daemon;
  let rotor: Rotor;

  before(async () => {
    // Each needs the other's port: Unbound's is chosen first, and both start again if it was taken.
    [rotor, unbound] = await onFreePorts(1, async ([unboundPort]) => {
      const dir = await tempDir();
      const config = join(dir, 'rotor.yaml');
      await writeFile(config, `query-log: on\nforward:\n  upstreams: [127.0.0.1:${unboundPort}]\n  timeout-ms: 3000\n`);
      const r = await startRotor(join(REPO, 'zones'), ['--config', config]);
      const u = await startUnbound(`stub-zone:
  name: "corp.example"
  stub-addr: 127.0.0.1@${r.port}
forward-zone:
  name: "loop.example"
  forward-addr: 127.0.0.1@${r.port}
`, unboundPort!).catch(async (e: unknown) => { await r.stop(); throw e; });
      return [r, u] as const;
    });
  });
  after(async () => {
    await unbound?.stop();
    await rotor?.stop();
  });

  it('answers the mail domain with rotor\'s records, through its cache', async () => {
    const mx = await query(unbound, 'corp.example', 'MX', { options: ['+rec'] });
    assert.equal(mx.status, 'NOERROR', mx.raw);
    assert.ok(mx.flags.includes('ra') && !mx.flags.includes('aa'), mx.flags.join(' '));
    assert.deepEqual(mx.answer.map((r) => r.data).sort(), [
      '10 mx1.corp.example.', '10 mx2.corp.example.', '10 mx3.corp.example.', '10 mx4.corp.example.', '50 backup-mx.corp.example.',
    ]);
    const a = await query(unbound, 'mx1.corp.example', 'A', { options: ['+rec'] });
    assert.deepEqual(a.answer.map((r) => r.data).sort(), ['192.0.2.11', '192.0.2.12']);
    // A second client question is answered from Unbound's cache: rotor is asked once.
    await query(unbound, 'corp.example', 'MX', { options: ['+rec'] });
    const asked = rotor.logs.filter((l) => l.msg === 'query' && l.qname === 'corp.example.' && l.qtype === 'MX');
    assert.equal(asked.length, 1, 'rotor saw one MX query');
    assert.equal(asked[0]!.zone, 'corp.example.');
  });

  it('stops a forwarding loop with SERVFAIL', async () => {
    const r = await query(rotor, 'www.loop.example', 'A', { options: ['+rec', '+time=5'] });
    assert.equal(r.status, 'SERVFAIL', r.raw);
    const loop = await rotor.waitForLog((l) => l.msg.startsWith('forwarding loop'));
    assert.equal(loop.qname?.toString().toLowerCase(), 'www.loop.example.');
  });
});
