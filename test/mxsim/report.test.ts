import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatText, summarize } from '../../src/mxsim/report.js';
import { emptyTally, type Tally } from '../../src/mxsim/simulate.js';

/** A tally as the simulation would leave it: connections by gateway and address. */
function tally(connections: Record<string, Record<string, number>>, extra: Partial<Tally> = {}): Tally {
  const preferences = new Map(Object.keys(connections).map((g) => [g, g.startsWith('backup') ? 50 : 10]));
  return {
    ...emptyTally(),
    preferences,
    connections: new Map(Object.entries(connections).map(([g, a]) => [g, new Map(Object.entries(a))])),
    ...extra,
  };
}

const EVEN = {
  'mx1.x.': { '192.0.2.11': 1250, '192.0.2.12': 1250 },
  'mx2.x.': { '192.0.2.21': 2500 },
  'mx3.x.': { '192.0.2.31': 2500 },
  'mx4.x.': { '192.0.2.41': 2500 },
  'backup.x.': { '198.51.100.25': 0 },
};

const summary = (t: Tally, down: string[] = []) => {
  const delivered = [...t.connections.values()].flatMap((a) => [...a.values()]).reduce((x, y) => x + y, 0);
  return summarize(t, { domain: 'x.', family: 'ipv4', messages: delivered + t.undelivered, down: new Set(down), sent: 10 });
};

describe('summarize', () => {
  it('measures an even split as even, with the backup outside the group', () => {
    const s = summary(tally(EVEN));
    assert.deepEqual(s.group!.gateways, ['mx1.x.', 'mx2.x.', 'mx3.x.', 'mx4.x.']);
    assert.equal(s.group!.spreadPoints, 0);
    assert.equal(s.group!.cv, 0);
    assert.equal(s.group!.chiSquare.pValue, 1);
    assert.match(s.conclusion[0]!, /each took 25\.0% of their connections, within ±0\.0 points/);
    assert.match(s.conclusion.join('\n'), /mx1\.x\.'s 2 addresses split 50\.0% \/ 50\.0%/);
  });

  it('names the gateway that took everything', () => {
    const s = summary(tally({ 'mx1.x.': { a: 10_000 }, 'mx2.x.': { b: 0 }, 'mx3.x.': { c: 0 } }));
    assert.equal(s.group!.ratio, Infinity);
    assert.match(s.conclusion[0]!, /^Uneven: mx1\.x\. took 100\.0% of the preference-10 connections/);
  });

  it('says when senders followed the order and when they ignored it', () => {
    const followed = summary(tally(EVEN, { lookups: 1000, toFirstUp: 1000, firstUp: new Map([['mx1.x.', 500], ['backup.x.', 500]]) }));
    assert.match(followed.conclusion[1]!, /^In 100\.0% of lookups the sender went to the first gateway in the answer that was up, against 12\.5% for an order-blind choice: the order of the answers decided/);
    const ignored = summary(tally(EVEN, { lookups: 1000, toFirstUp: 130, firstUp: new Map([['mx1.x.', 500], ['backup.x.', 500]]) }));
    assert.match(ignored.conclusion[1]!, /as often as an order-blind choice would \(12\.5%\): the order of the answers did not decide/);
  });

  it('counts what a down gateway left to the others', () => {
    const t = tally({ 'mx1.x.': { '192.0.2.11': 0 }, 'mx2.x.': { b: 5000 }, 'mx3.x.': { c: 2500 }, 'mx4.x.': { d: 2500 } }, { refused: new Map([['mx1.x.', 1234]]) });
    const s = summary(t, ['mx1.x.']);
    assert.equal(s.gateways[0]!.down, true);
    assert.deepEqual(s.group!.gateways, ['mx2.x.', 'mx3.x.', 'mx4.x.']);
    const line = s.conclusion.find((c) => c.includes('refused'))!;
    assert.match(line, /mx1\.x\. refused 1,234 connection attempts and took none; against an even 25\.0% with all 4 up, the others' shares moved mx2\.x\. \+25\.0, mx3\.x\. \+0\.0, mx4\.x\. \+0\.0 points: unevenly/);
  });

  it('notices mail to a lower-preference gateway and a --down that matched nothing', () => {
    const s = summary(tally({ ...EVEN, 'backup.x.': { '198.51.100.25': 2000 } }), ['mx9.x.']);
    assert.match(s.conclusion.join('\n'), /backup\.x\. \(preference 50\) took 16\.7% of all connections/);
    assert.deepEqual(s.unmatchedDown, ['mx9.x.']);
    assert.match(formatText(s, ['setup']), /note: --down mx9\.x\. matched no gateway/);
  });

  it('lays out a table with every gateway and address', () => {
    const text = formatText(summary(tally(EVEN)), ['first line']);
    assert.match(text, /^first line\n\ngateway \/ address +pref +connections +share +refused\n/);
    assert.match(text, /\n {2}192\.0\.2\.11 +1,250 +12\.50%\n/);
    assert.match(text, /chi-square against an even split: 0\.00, 3 degrees of freedom, p = 1\.00/);
  });
});
