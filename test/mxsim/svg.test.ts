import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarize } from '../../src/mxsim/report.js';
import { emptyTally, type Tally } from '../../src/mxsim/simulate.js';
import { renderSvg } from '../../src/mxsim/svg.js';

const t: Tally = {
  ...emptyTally(),
  preferences: new Map([['mx1.corp.example.', 10], ['mx2.corp.example.', 10], ['backup-mx.corp.example.', 50]]),
  connections: new Map([
    ['mx1.corp.example.', new Map([['192.0.2.11', 300], ['192.0.2.12', 200]])],
    ['mx2.corp.example.', new Map([['192.0.2.21', 400]])],
    ['backup-mx.corp.example.', new Map([['198.51.100.25', 100]])],
  ]),
};
const svg = renderSvg(summarize(t, { domain: 'corp.example.', family: 'ipv4', messages: 1000, down: new Set(), sent: 0 }), 'Title <&>', ['sub', 'second line']);

describe('renderSvg', () => {
  it('is one svg element with a title, both axis labels and an escaped title', () => {
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>/);
    assert.match(svg, /<\/svg>\n$/);
    assert.match(svg, />Title &lt;&amp;&gt;</);
    assert.match(svg, />sub<\/text>\n<text [^>]*>second line</);
    assert.match(svg, />connections</);
    assert.match(svg, />gateway \(MX preference\), each bar stacked by address</);
  });

  it('draws a segment per used address and puts the value on each bar', () => {
    assert.equal(svg.match(/<rect x=/g)!.length, 4);
    assert.match(svg, /paint-order="stroke">500 \(50\.0%\)</);
    assert.match(svg, /paint-order="stroke">400 \(40\.0%\)</);
    assert.match(svg, />mx1<title>mx1\.corp\.example\.<\/title>/);
  });

  it('draws the even-share line of the preferred gateways', () => {
    assert.match(svg, /stroke-dasharray="6 4"/);
    assert.match(svg, /even share of the 2 up preference-10 gateways: 450 connections each \(50\.0% of theirs\)/);
  });

  it('gives every number on the axis a gridline inside the plot', () => {
    const ticks = [...svg.matchAll(/text-anchor="end" font-size="11" fill="#333">([\d,]+)</g)].map((m) => Number(m[1]!.replace(/,/g, '')));
    assert.equal(ticks[0], 0);
    assert.ok(ticks.at(-1)! >= 500);
  });
});
