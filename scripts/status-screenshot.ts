// Renders the status page for the README: the example mail zone under a few
// seconds of mixed traffic, a second zone, and a third whose last edit was
// rejected, shot at desktop and phone widths with Debian's chromium:
//   node --import tsx scripts/status-screenshot.ts [--out docs]
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO } from '../test/e2e/harness.js';
import { launchChromium, startMonitored } from '../test/e2e/monitor.js';
import { makeQuery, udpExchange } from '../test/e2e/raw.js';
import { RRType } from '../src/wire/types.js';

const { values } = parseArgs({ options: { out: { type: 'string', default: join(REPO, 'docs') } }, strict: true });

const LAB = "'':\n  - type: NS\n    value: ns1.corp.example.\n  - type: A\n    values: [192.0.2.90, 192.0.2.91, 192.0.2.92]\nwww:\n  type: CNAME\n  value: lab.example.\n";
const SHOP = (address: string) => `'':\n  type: NS\n  value: ns1.corp.example.\nwww:\n  type: A\n  value: ${address}\n`;

const rotor = await startMonitored({
  'corp.example.yaml': await readFile(join(REPO, 'zones', 'corp.example.yaml'), 'utf8'),
  'lab.example.yaml': LAB,
  'shop.example.yaml': SHOP('192.0.2.60'),
});
const browser = await launchChromium();
try {
  // A bad edit to a served zone: the page shows where the mistake is.
  await writeFile(join(rotor.dir, 'shop.example.yaml'), SHOP('192.0.2.600'));
  await rotor.waitForLog((l) => l.msg.startsWith('zone rejected'));

  // Fifteen seconds of traffic that rises and falls, mostly MX and address lookups.
  const mix: [string, number][] = [
    ['corp.example', RRType.MX], ['corp.example', RRType.MX], ['mx1.corp.example', RRType.A], ['mx2.corp.example', RRType.A],
    ['mx1.corp.example', RRType.AAAA], ['corp.example', RRType.TXT], ['lab.example', RRType.A], ['nope.corp.example', RRType.A],
    ['_submission._tcp.corp.example', RRType.SRV], ['example.org', RRType.A],
  ];
  let id = 0;
  for (let second = 0; second < 15; second++) {
    const started = Date.now();
    const count = Math.round(30 + 25 * Math.sin(second / 2));
    for (let i = 0; i < count; i++) {
      const [name, type] = mix[id % mix.length]!;
      await udpExchange(rotor, makeQuery(name, type, id++ & 0xffff));
    }
    await sleep(Math.max(0, 1000 - (Date.now() - started)));
  }

  const shots: [string, { width: number; height: number }, number][] = [
    ['status-page.png', { width: 1280, height: 800 }, 1],
    ['status-page-phone.png', { width: 390, height: 844 }, 2],
  ];
  for (const [file, viewport, deviceScaleFactor] of shots) {
    const page = await browser.newPage({ viewport, deviceScaleFactor, colorScheme: 'light' });
    await page.goto(rotor.url);
    await page.locator('tr[data-zone="corp.example."]').waitFor();
    await page.locator('#spark span').first().waitFor();
    await page.screenshot({ path: join(values.out, file), fullPage: true });
    console.log(`wrote ${join(values.out, file)}`);
    await page.close();
  }
} finally {
  await browser.close();
  await rotor.stop();
}
