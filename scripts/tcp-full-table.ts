// The figure behind test/e2e/limits.test.ts's full-table test, measured
// rather than asserted: 1,000 TCP connections held from 127.0.0.10-19, each
// asking every 4 s, and a newcomer at 127.0.0.2 asking one query a
// connection every 100 ms. Prints how many of its queries were answered, and
// how many within 100 ms (the target: at least 95 %).
//   node --import tsx scripts/tcp-full-table.ts [--seconds 20] [--default-limits]
// By default the per-netblock limit is lifted to the table's size, since all
// of these loopback addresses share 127.0.0.0/24; --default-limits keeps it.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FIXTURE, startRotor, tempDir } from '../test/e2e/harness.js';
import { askOverTcp, holdConnections, makeQuery, Packet } from '../test/e2e/raw.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20' }, 'default-limits': { type: 'boolean', default: false } } });
const HOLDERS = 10;
const PER_HOLDER = 100;
const ASK_EVERY_MS = 4000;
const GAP_MS = 100;
const TARGET_MS = 100;

const dir = await tempDir();
const config = join(dir, 'rotor.yaml');
await writeFile(config, values['default-limits'] ? '' : `tcp-max-connections-per-netblock: ${HOLDERS * PER_HOLDER}\n`);
const rotor = await startRotor(FIXTURE, ['--config', config]);
try {
  // Warmed up first: the figure is what the held connections cost, not a cold start.
  await askOverTcp(rotor, '127.0.0.2', makeQuery('example.test', Packet.TYPE.MX), 5000);
  const holders = Array.from({ length: HOLDERS }, (_, h) => `127.0.0.${10 + h}`);
  const held = await holdConnections(rotor, holders, PER_HOLDER, ASK_EVERY_MS, (i) => makeQuery('www.example.test', Packet.TYPE.A, i));
  console.log(`${held.sockets.length} connections opened from ${HOLDERS} addresses; ${held.closedAt.length} closed by the server while opening`);
  const times: (number | undefined)[] = [];
  const end = performance.now() + Number(values.seconds) * 1000;
  for (let i = 0; performance.now() < end; i++) {
    const started = performance.now();
    times.push(await askOverTcp(rotor, '127.0.0.2', makeQuery('example.test', Packet.TYPE.MX, i), 2000));
    await new Promise((r) => setTimeout(r, Math.max(0, GAP_MS - (performance.now() - started))));
  }
  held.quiet();
  const answered = times.filter((t): t is number => t !== undefined).sort((a, b) => a - b);
  const within = answered.filter((t) => t <= TARGET_MS).length;
  const pct = (q: number) => answered[Math.min(answered.length - 1, Math.floor(q * answered.length))]?.toFixed(1) ?? '-';
  console.log(`newcomer: ${answered.length} of ${times.length} TCP queries answered, ${within} (${((100 * within) / times.length).toFixed(1)} %) within ${TARGET_MS} ms; p50 ${pct(0.5)} ms, p95 ${pct(0.95)} ms, max ${answered.at(-1)?.toFixed(1) ?? '-'} ms`);
  console.log(`held connections closed by the server meanwhile: ${held.closedAt.length} of ${held.sockets.length}`);
  for (const s of held.sockets) s.destroy();
} finally {
  await rotor.stop();
}
