// The status document: the order it shows for the mail zone is the order the
// next answer really has; query rates cover the last minute only; zone errors
// carry file:line:col; readiness waits for listening and for every zone.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, it, mock } from 'node:test';
import { Status } from '../../src/observe/status.js';
import type { ListenAddress } from '../../src/net/address.js';
import { RRType } from '../../src/wire/types.js';
import { tempDir } from '../e2e/harness.js';
import { decode } from '../e2e/raw.js';
import { observedServer } from './fixture.js';

const GOOD = "'':\n  type: NS\n  value: ns1.good.test.\nwww:\n  type: A\n  value: 192.0.2.1\n";
const BAD = "'':\n  type: NS\n  value: ns1.bad.test.\nwww:\n  type: A\n  value: 192.0.2.300\n";

async function statusOf(zonesDir?: string, bound: ListenAddress[] = [{ host: '127.0.0.1', port: 53, family: 4 }]) {
  const s = await observedServer(zonesDir ? { zonesDir } : {});
  const status = new Status({ catalog: s.server.catalog, history: s.history, metrics: s.metrics, rotation: s.server.rotation, bound: () => bound });
  return { ...s, status };
}

describe('status document', () => {
  afterEach(() => mock.timers.reset());

  it('shows the MX set and the gateways addresses in the order of the next answer', async () => {
    const { ask, status } = await statusOf();
    for (let i = 0; i < 7; i++) {
      const [mail] = status.document().mail;
      assert.equal(mail!.zone, 'corp.example.');
      assert.equal(mail!.mx.served, i);
      const predicted = mail!.mx.next;
      const reply = decode(ask('corp.example', RRType.MX));
      assert.deepEqual(reply.answers.map((a) => a.exchange + '.'), predicted.map((m) => m.exchange), `answer ${i}`);
      assert.deepEqual(reply.answers.map((a) => a.priority), predicted.map((m) => m.preference));
      const mx1 = predicted.find((m) => m.exchange === 'mx1.corp.example.')!;
      const mx1A = reply.additionals.filter((r) => r.name === 'mx1.corp.example' && r.type === RRType.A).map((r) => r.address);
      assert.deepEqual(mx1A, mx1.addresses.find((a) => a.type === 'A')!.next);
      assert.deepEqual(mx1.addresses.find((a) => a.type === 'AAAA')!.next, ['2001:db8:25::11']);
    }
    status.close();
  });

  it('counts queries by type and rcode over the last minute only', async () => {
    mock.timers.enable({ apis: ['setInterval', 'Date'], now: 1_000_000 });
    const { ask, status } = await statusOf();
    ask('corp.example', RRType.MX);
    ask('nope.corp.example', RRType.A);
    mock.timers.tick(1000);
    ask('corp.example', RRType.MX);
    let q = status.document().queries;
    assert.equal(q.total, 3);
    assert.deepEqual(q.byType.map((r) => [r.name, r.count]), [['MX', 2], ['A', 1]]);
    assert.deepEqual(q.byRcode.map((r) => [r.name, r.count]), [['NOERROR', 2], ['NXDOMAIN', 1]]);
    assert.deepEqual(q.history, [2]);
    // A minute later the first two have left the window.
    mock.timers.tick(60_000);
    q = status.document().queries;
    assert.equal(q.seconds, 60);
    assert.equal(q.total, 1);
    assert.deepEqual(q.byRcode.map((r) => [r.name, r.count]), [['NOERROR', 1]]);
    assert.equal(q.history.length, 60);
    assert.equal(q.history.reduce((a, b) => a + b, 0), 1);
    assert.ok(Math.abs(q.perSecond - 1 / 60) < 1e-9);
    status.close();
  });

  it('reports a rejected zone with file:line:col and is not ready until it loads', async () => {
    const dir = await tempDir({ 'good.test.yaml': GOOD, 'bad.test.yaml': BAD });
    const { status, server } = await statusOf(dir);
    let doc = status.document();
    assert.equal(doc.ready, false);
    const bad = doc.zones.find((z) => z.zone === 'bad.test.')!;
    assert.equal(bad.served, false);
    assert.equal(`${bad.error!.file}:${bad.error!.line}:${bad.error!.col}`, `${join(dir, 'bad.test.yaml')}:6:10`);
    assert.match(bad.error!.message, /192\.0\.2\.300/);
    assert.match(doc.waiting.join('\n'), /bad\.test\. not loaded: .*bad\.test\.yaml:6:10: error/);
    const good = doc.zones.find((z) => z.zone === 'good.test.')!;
    assert.deepEqual([good.served, good.records, good.error], [true, 3, undefined]);

    await writeFile(join(dir, 'bad.test.yaml'), GOOD.replaceAll('good', 'bad'));
    await server.loadZones();
    doc = status.document();
    assert.equal(doc.ready, true, doc.waiting.join('; '));
    assert.equal(doc.zones.find((z) => z.zone === 'bad.test.')!.error, undefined);

    // A bad edit of a served zone: still served, still ready, the error shown.
    await writeFile(join(dir, 'good.test.yaml'), BAD.replaceAll('bad', 'good'));
    await server.loadZones();
    doc = status.document();
    assert.equal(doc.ready, true);
    const edited = doc.zones.find((z) => z.zone === 'good.test.')!;
    assert.equal(edited.served, true);
    assert.match(edited.error!.text, /good\.test\.yaml:6:10: error: "192\.0\.2\.300"/);
    status.close();
  });

  it('is not ready before the server listens', async () => {
    const { status } = await statusOf(undefined, []);
    assert.deepEqual(status.document().waiting, ['not listening yet']);
    status.close();
  });
});
