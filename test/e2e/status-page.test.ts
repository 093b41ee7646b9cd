// The status page in a real browser (Debian's chromium through playwright-core):
// it lists the zones and the rejected edit, and as dig sends queries the MX
// order and the gateways' addresses on the page move, always showing what the
// next answer will be.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { query, REPO } from './harness.js';
import { launchChromium, startMonitored, type Monitored } from './monitor.js';

const BAD = "'':\n  type: NS\n  value: ns1.bad.test.\nwww:\n  type: A\n  value: 192.0.2.300\n";
const MAIL = '[data-mail-zone="corp.example."]';

/** The MX set as the page lists it: "preference exchange", top to bottom. */
function shownOrder(page: Page): Promise<string[]> {
  return page.$$eval(`${MAIL} li`, (items) => items.map((li) => `${li.querySelector('.pref')!.textContent} ${li.getAttribute('data-exchange')}`));
}

function shownAddresses(page: Page, exchange: string): Promise<string[]> {
  return page.$$eval(`${MAIL} li[data-exchange="${exchange}"] .addr`, (chips) => chips.map((c) => c.textContent!));
}

async function waitForOrderChange(page: Page, from: string[]): Promise<string[]> {
  await page.waitForFunction(
    ([sel, old]) => [...document.querySelectorAll(`${sel} li`)].map((li) => `${li.querySelector('.pref')!.textContent} ${li.getAttribute('data-exchange')}`).join('|') !== old,
    [MAIL, from.join('|')] as const,
    { timeout: 5000 },
  );
  return shownOrder(page);
}

describe('status page in chromium', () => {
  let rotor: Monitored;
  let browser: Browser;
  let page: Page;
  const blocked: string[] = [];
  before(async () => {
    rotor = await startMonitored({ 'corp.example.yaml': await readFile(join(REPO, 'zones', 'corp.example.yaml'), 'utf8'), 'bad.test.yaml': BAD });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // The page must work under its own Content-Security-Policy: whatever it blocks is reported here.
    page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) blocked.push(m.text()); });
    await page.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) => console.error(`Content Security Policy blocked ${e.violatedDirective}: ${e.blockedURI}`)));
    await page.goto(rotor.url);
  });
  after(async () => {
    await browser?.close();
    await rotor?.stop();
  });

  it('lists each zone with its serial, records and state, and the rejected file with file:line:col', async () => {
    const row = page.locator('tr[data-zone="corp.example."]');
    await row.waitFor({ timeout: 5000 });
    const soa = await query(rotor, 'corp.example', 'SOA');
    const cells = await row.locator('td').allTextContents();
    assert.equal(cells[0], 'corp.example.');
    assert.equal(cells[1], soa.answer[0]!.data.split(' ')[2]);
    assert.equal(cells[2], '28');
    assert.match(cells[3]!, /s ago$/);
    assert.equal(cells[4], 'served');
    const error = await page.locator('tr[data-error-for="bad.test."]').textContent();
    assert.match(error!, /bad\.test\.yaml:6:10: error: "192\.0\.2\.300" is not an IPv4 address/);
    assert.equal(await page.locator('tr[data-zone="bad.test."] td').last().textContent(), 'not served');
    assert.equal(await page.locator('#ready').textContent(), 'not ready');
    assert.equal(await page.locator('#live').textContent(), 'live');
  });

  it('shows the order the next answer will have, and moves it as dig asks', async () => {
    let shown = await shownOrder(page);
    assert.equal(shown.length, 5);
    for (let i = 0; i < 3; i++) {
      const answer = (await query(rotor, 'corp.example', 'MX')).answer.map((a) => a.data);
      assert.deepEqual(answer, shown, `answer ${i} is the order the page showed`);
      const next = await waitForOrderChange(page, shown);
      assert.deepEqual(next, [...shown.slice(1), shown[0]], 'turned by one step');
      shown = next;
    }
  });

  it('moves a gateway\'s addresses too', async () => {
    const before = await shownAddresses(page, 'mx2.corp.example.');
    assert.equal(before.length, 2);
    const answer = (await query(rotor, 'mx2.corp.example', 'A')).answer.map((a) => a.data);
    assert.deepEqual(answer, before);
    await page.waitForFunction(
      ([sel, old]) => [...document.querySelectorAll(sel)].map((c) => c.textContent).join() !== old,
      [`${MAIL} li[data-exchange="mx2.corp.example."] .addr`, before.join()] as const,
      { timeout: 5000 },
    );
    assert.deepEqual(await shownAddresses(page, 'mx2.corp.example.'), [before[1], before[0]]);
  });

  it('shows query rates by type and rcode', async () => {
    await query(rotor, 'elsewhere.test', 'TXT');
    await page.locator('#by-rcode .row[data-name="REFUSED"]').waitFor({ timeout: 5000 });
    assert.match((await page.locator('#by-type .row[data-name="MX"] .num').textContent())!, /^[\d.]+\/s$/);
    assert.notEqual(await page.locator('#qps').textContent(), '0');
  });

  it('runs under its own Content-Security-Policy, which blocked nothing, and may not be framed', async () => {
    const res = await page.goto(rotor.url);
    assert.match((await res!.allHeaders())['content-security-policy'] ?? '', /script-src 'self'/);
    assert.equal((await res!.allHeaders())['x-frame-options'], 'DENY');
    await page.locator('tr[data-zone="corp.example."]').waitFor({ timeout: 5000 });
    await page.locator('#by-rcode .row').first().waitFor({ timeout: 5000 });
    assert.deepEqual(blocked, []);
  });

  it('fits a phone screen without sideways scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(widths[0]! <= widths[1]!, `page ${widths[0]} px wide in a ${widths[1]} px window`);
    assert.equal(await page.locator('table.zones thead').isVisible(), false, 'the zone table turns into blocks');
  });
});
