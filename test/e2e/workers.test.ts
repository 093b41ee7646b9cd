// rotor serve --workers: several processes answer on one port, each turning
// its own rotation; a worker that dies is replaced while the others answer;
// SIGHUP and zone edits reach every worker.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { manyLogs, query, REPO, startRotor, STARTUP_MS, tempDir } from './harness.js';

const run = promisify(execFile);
const CORP = await readFile(join(REPO, 'zones', 'corp.example.yaml'), 'utf8');

describe('rotor serve --workers', () => {
  it('answers from several workers, each with its own rotation, and replaces a worker that dies', async () => {
    const rotor = await startRotor({ 'corp.example.yaml': CORP }, ['--workers', '2', '--query-log', 'on']);
    try {
      const ready = await rotor.waitForLog((l) => l.msg === 'workers ready', STARTUP_MS);
      const pids = ready.pids as number[];
      assert.equal(pids.length, 2);

      // TCP connections are handed to the workers in turn, and each worker
      // starts its own MX rotation at mx1: one process would have given four
      // different first records.
      const first: string[] = [];
      for (let i = 0; i < 4; i++) first.push((await query(rotor, 'corp.example', 'MX', { tcp: true })).answer[0]!.data);
      assert.ok(new Set(first).size < 4, `first MX records ${first.join(', ')}`);
      const answeredBy = await manyLogs(rotor, 4, (l) => l.msg === 'query');
      assert.equal(new Set(answeredBy.map((l) => l.worker)).size, 2, 'both workers answered');

      process.kill(pids[0]!, 'SIGKILL');
      const exited = await rotor.waitForLog((l) => l.msg === 'worker exited: starting another');
      assert.equal(exited.pid, pids[0]);
      assert.equal(exited.signal, 'SIGKILL');
      const replacement = await rotor.waitForLog((l) => l.msg === 'worker ready', STARTUP_MS);
      assert.ok(!pids.includes(replacement.pid as number), 'a new process');
      for (let i = 0; i < 6; i++) {
        const r = await query(rotor, 'mx3.corp.example', 'A', { tcp: i % 2 === 0 });
        assert.equal(r.answer[0]?.data, '192.0.2.31');
      }

      rotor.process.kill('SIGHUP');
      const reloaded = await manyLogs(rotor, 2, (l) => l.msg === 'SIGHUP: reloading every zone');
      assert.equal(new Set(reloaded.map((l) => l.worker)).size, 2, 'every worker reloads');
    } finally {
      assert.equal(await rotor.stop(), 0);
    }
  });

  it('serves an edited zone from every worker, and one of them sends the NOTIFY', async () => {
    // A secondary stand-in that acknowledges every NOTIFY and counts them.
    const secondary = dgram.createSocket('udp4');
    const notifies: Buffer[] = [];
    secondary.on('message', (msg, from) => {
      notifies.push(msg);
      const ack = Buffer.from(msg.subarray(0, 12));
      ack.writeUInt16BE(msg.readUInt16BE(2) | 0x8000, 2);
      ack.writeUInt16BE(0, 4);
      ack.writeUInt16BE(0, 6);
      secondary.send(ack, from.port, from.address);
    });
    await new Promise<void>((r) => secondary.bind(0, '127.0.0.1', () => r()));
    const config = join(await tempDir({ 'rotor.yaml': `also-notify: [127.0.0.1:${secondary.address().port}]\n` }), 'rotor.yaml');
    const rotor = await startRotor({ 'corp.example.yaml': CORP }, ['--workers', '2', '--config', config]);
    try {
      await rotor.waitForLog((l) => l.msg === 'workers ready', STARTUP_MS);
      await writeFile(join(rotor.dir, 'corp.example.yaml'), CORP.replace('192.0.2.31', '192.0.2.39'));
      const loaded = await manyLogs(rotor, 2, (l) => l.msg === 'zone loaded' && l.reload === true);
      assert.equal(new Set(loaded.map((l) => l.worker)).size, 2);
      // Two connections, so both workers answer.
      for (let i = 0; i < 2; i++) assert.equal((await query(rotor, 'mx3.corp.example', 'A', { tcp: true })).answer[0]?.data, '192.0.2.39');
      await manyLogs(rotor, 1, (l) => l.msg === 'NOTIFY acknowledged');
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(notifies.length, 1, 'one NOTIFY for one change, whatever the number of workers');
      assert.equal((notifies[0]!.readUInt16BE(2) >> 11) & 0xf, 4, 'opcode NOTIFY');
    } finally {
      secondary.close();
      await rotor.stop();
    }
  });

  it('rejects a bad --workers value in one line with exit code 2', async () => {
    const failed = await run(process.execPath, ['--import', 'tsx', join(REPO, 'src', 'cli.ts'), 'serve', '--workers', 'many'], { cwd: REPO, timeout: STARTUP_MS })
      .then(() => undefined, (e: { code: number; stderr: string }) => e);
    assert.equal(failed?.code, 2);
    assert.equal(failed?.stderr, 'rotor: --workers: expected auto or an integer from 1 to 256, got "many"\n');
  });
});
