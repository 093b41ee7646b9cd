// From a simulation's tallies to the figures mxsim reports, and from those
// figures to its conclusion: every sentence is chosen and filled in from the
// measurements, so a different run says something different.
import type { Family, SenderFamily } from './senders.js';
import type { Tally } from './simulate.js';
import { chiSquareEven, coefficientOfVariation, type ChiSquare } from './stats.js';

export interface AddressRow {
  address: string;
  down: boolean;
  connections: number;
  /** Of all connections. */
  share: number;
}

export interface GatewayRow {
  exchange: string;
  preference: number;
  down: boolean;
  connections: number;
  /** Of all connections. */
  share: number;
  refused: number;
  /** Sessions it rejected with a 5xx. */
  rejected: number;
  /** Times senders skipped it for want of an address of their families. */
  skipped: number;
  /** Why these senders could not reach it, in words; absent when they could. */
  unreachable?: string;
  addresses: AddressRow[];
}

/** A gateway these senders never reached, and why. */
export interface UnreachableRow {
  exchange: string;
  preference: number;
  reason: string;
  skipped: number;
}

/** The gateways that should share the mail: the up ones at the best preference that has any. */
export interface GroupStats {
  preference: number;
  gateways: string[];
  connections: number;
  /** 1/k: each gateway's share of the group's connections under an even split. */
  even: number;
  minShare: number;
  maxShare: number;
  /** Largest distance from the even share, in percentage points. */
  spreadPoints: number;
  /** Most over fewest connections; Infinity when one gateway got none. */
  ratio: number;
  cv: number;
  chiSquare: ChiSquare;
}

export interface Summary {
  domain: string;
  family: SenderFamily;
  messages: number;
  delivered: number;
  /** Given up after the last retry. */
  undelivered: number;
  /** Tries that found no exchange to take the message, each followed by a retry. */
  deferrals: number;
  deliveredLater: number;
  /** Rejected with a 5xx and returned to their senders. */
  returned: number;
  gateways: GatewayRow[];
  group?: GroupStats;
  /**
   * Lookups followed by a delivery; how many of them went to the first gateway
   * in the answer that was up; how many an order-blind sender would have sent there.
   */
  firstUp: { lookups: number; followed: number; orderBlind: number };
  /** Share of the server's MX answers that listed each exchange first. */
  serverFirst: { exchange: string; share: number }[];
  queries: { mx: number; a: number; aaaa: number; sent: number };
  /** --down values that matched no gateway or address seen. */
  unmatchedDown: string[];
  /**
   * The conclusion's findings, kept apart: how the reachable preferred
   * gateways split the mail, and which gateways these senders could not reach.
   */
  verdict: { split: 'even' | 'uneven' | 'one gateway' | 'none'; unreachable: UnreachableRow[] };
  conclusion: string[];
}

const pct = (x: number, digits = 1): string => `${(100 * x).toFixed(digits)}%`;
const points = (x: number): string => (100 * x).toFixed(1);
const count = (n: number): string => n.toLocaleString('en-US');

const RECORD: Record<Family, string> = { 4: 'A', 6: 'AAAA' };
const FAMILY: Record<SenderFamily, string> = { ipv4: 'IPv4 only', ipv6: 'IPv6 only', dual: 'IPv4 and IPv6' };

/** Why an exchange gave no address, in words, from the reason senders met most often. */
function explain(reasons: ReadonlyMap<string, number>, families: ReadonlySet<Family> | undefined, family: SenderFamily): string {
  const [reason] = [...reasons].sort((a, b) => b[1] - a[1])[0]!;
  const has = [...families ?? []].sort();
  if (reason.startsWith('no ') && has.length > 0) {
    const only = has.map((f) => `${f === 4 ? 'IPv4' : 'IPv6'} addresses (${RECORD[f]})`).join(' and ');
    return `it has only ${only} and these senders use ${FAMILY[family]} (--family ${family})`;
  }
  if (reason.startsWith('no ') && family !== 'dual') return `it has ${reason} and these senders use ${FAMILY[family]} (--family ${family})`;
  if (reason.startsWith('no ')) return `it has no address records (${reason})`;
  const rcode = reason.split(', ')[0]!.split(' ')[1]!;
  const words: Record<string, string> = {
    NXDOMAIN: 'its name does not exist (NXDOMAIN)',
    REFUSED: 'the server refused to answer for its name (REFUSED), as an authoritative server does for names outside its zones',
    SERVFAIL: 'its address lookups failed (SERVFAIL)',
    timeout: 'its address lookups got no answer',
  };
  return words[rcode] ?? `its address lookups were answered ${rcode}`;
}

function gatewayRows(tally: Tally, down: ReadonlySet<string>, delivered: number, family: SenderFamily): GatewayRow[] {
  const rows: GatewayRow[] = [];
  for (const [exchange, preference] of tally.preferences) {
    const seen = tally.connections.get(exchange) ?? new Map<string, number>();
    const addresses = [...seen].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true })).map(([address, n]) => ({
      address, down: down.has(exchange) || down.has(address), connections: n, share: delivered ? n / delivered : 0,
    }));
    const connections = addresses.reduce((sum, a) => sum + a.connections, 0);
    const reasons = tally.unresolved.get(exchange);
    const skipped = [...reasons?.values() ?? []].reduce((a, b) => a + b, 0);
    const isDown = down.has(exchange) || (addresses.length > 0 && addresses.every((a) => a.down));
    // Unreachable: skipped and never connected to (not merely unlucky, and not down).
    const unreachable = reasons && !isDown && connections === 0 && !tally.refused.has(exchange) && !tally.rejected.has(exchange)
      ? explain(reasons, tally.families.get(exchange), family) : undefined;
    rows.push({
      exchange, preference, connections, share: delivered ? connections / delivered : 0, down: isDown,
      refused: tally.refused.get(exchange) ?? 0, rejected: tally.rejected.get(exchange) ?? 0, skipped,
      ...(unreachable ? { unreachable } : {}), addresses,
    });
  }
  return rows.sort((a, b) => a.preference - b.preference || a.exchange.localeCompare(b.exchange, 'en', { numeric: true }));
}

function groupStats(rows: readonly GatewayRow[]): GroupStats | undefined {
  const up = rows.filter((r) => !r.down && !r.unreachable);
  if (up.length === 0) return undefined;
  const preference = up[0]!.preference;
  const members = up.filter((r) => r.preference === preference);
  const counts = members.map((r) => r.connections);
  const connections = counts.reduce((a, b) => a + b, 0);
  const even = 1 / members.length;
  const shares = counts.map((c) => (connections ? c / connections : 0));
  const max = Math.max(...counts);
  const min = Math.min(...counts);
  return {
    preference, gateways: members.map((r) => r.exchange), connections, even,
    minShare: Math.min(...shares), maxShare: Math.max(...shares),
    spreadPoints: 100 * Math.max(...shares.map((s) => Math.abs(s - even))),
    ratio: min > 0 ? max / min : max > 0 ? Infinity : 1,
    cv: coefficientOfVariation(counts), chiSquare: chiSquareEven(counts),
  };
}

function conclude(s: Omit<Summary, 'conclusion'>): string[] {
  const out: string[] = [];
  for (const u of s.verdict.unreachable) {
    out.push(`Unreachable for these senders, not uneven: ${u.exchange} (preference ${u.preference}) took no mail because ${u.reason}; senders skipped it ${count(u.skipped)} times and went on to the next exchange, and it is left out of the spread.`);
  }
  if (s.deferrals > 0) {
    out.push(`${count(s.deferrals)} tries found no exchange that would take the message and were deferred; ${count(s.deliveredLater)} messages went through on a later try and ${count(s.undelivered)} were given up.`);
  }
  if (s.returned > 0) {
    const by = s.gateways.filter((r) => r.rejected > 0).map((r) => `${r.exchange} ${count(r.rejected)}`).join(', ');
    out.push(`${count(s.returned)} messages from listed senders were rejected with 5xx and returned (${by}).`);
  }
  const g = s.group;
  if (!g) return [...out, `No gateway accepted a connection: all ${count(s.messages)} messages stayed undelivered.`];
  const members = s.gateways.filter((r) => g.gateways.includes(r.exchange));
  const shareOf = (r: GatewayRow): number => (g.connections ? r.connections / g.connections : 0);
  const top = members.reduce((a, b) => (shareOf(b) > shareOf(a) ? b : a));
  const bottom = members.reduce((a, b) => (shareOf(b) < shareOf(a) ? b : a));
  const p = g.chiSquare.pValue;

  if (members.length === 1) {
    out.push(`Only one preference-${g.preference} gateway was up, so ${top.exchange} took all ${count(g.connections)} of their connections.`);
  } else if (p >= 0.001 || g.spreadPoints <= 2) {
    const verdict = p >= 0.001
      ? `; chance alone explains the differences (chi-square p = ${p.toPrecision(2)})`
      : `, though further apart than chance alone would put them (chi-square p = ${p.toExponential(1)})`;
    const range = pct(g.minShare) === pct(g.maxShare) ? pct(g.minShare) : `${pct(g.minShare)} to ${pct(g.maxShare)}`;
    out.push(`The ${members.length} up preference-${g.preference} gateways each took ${range} of their connections, within ±${g.spreadPoints.toFixed(1)} points of an even ${pct(g.even)}${verdict}.`);
  } else {
    out.push(`Uneven: ${top.exchange} took ${pct(shareOf(top))} of the preference-${g.preference} connections and ${bottom.exchange} ${pct(shareOf(bottom))}, against an even ${pct(g.even)} (max/min ${Number.isFinite(g.ratio) ? g.ratio.toFixed(2) : '∞'}, coefficient of variation ${g.cv.toFixed(3)}).`);
  }

  const f = s.firstUp;
  if (f.lookups > 0) {
    const followed = f.followed / f.lookups;
    const blind = f.orderBlind / f.lookups;
    out.push(Math.abs(followed - blind) <= 0.03
      ? `In ${pct(followed)} of lookups the sender went to the first gateway in the answer that was up, as often as an order-blind choice would (${pct(blind)}): the order of the answers did not decide where mail went.`
      : `In ${pct(followed)} of lookups the sender went to the first gateway in the answer that was up, against ${pct(blind)} for an order-blind choice: the order of the answers decided where mail went.`);
  }

  for (const r of s.gateways) {
    if (!r.down && r.preference > g.preference && r.connections > 0) {
      out.push(`${r.exchange} (preference ${r.preference}) took ${pct(r.share)} of all connections although preference-${g.preference} gateways were up.`);
    }
  }

  const downHere = s.gateways.filter((r) => r.down && r.preference === g.preference);
  if (downHere.length > 0) {
    const before = 1 / (members.length + downHere.length);
    const gains = members.map((r) => shareOf(r) - before);
    const spread = Math.max(...gains) - Math.min(...gains);
    const names = downHere.map((r) => r.exchange).join(', ');
    out.push(`${names} refused ${count(downHere.reduce((n, r) => n + r.refused, 0))} connection attempts and took none; against an even ${pct(before)} with all ${members.length + downHere.length} up, the others' shares moved ${members.map((r, i) => `${r.exchange} ${gains[i]! >= 0 ? '+' : '−'}${points(Math.abs(gains[i]!))}`).join(', ')} points: ${spread <= 0.02 ? 'evenly' : `unevenly (${points(spread)} points apart)`}.`);
  }

  for (const r of members) {
    const up = r.addresses.filter((a) => !a.down);
    if (up.length < 2 || r.connections === 0) continue;
    const split = up.map((a) => a.connections / r.connections);
    const most = Math.max(...split);
    out.push(most > 0.6
      ? `${up[split.indexOf(most)]!.address} took ${pct(most)} of ${r.exchange}'s connections: senders try a gateway's addresses in the order given.`
      : `${r.exchange}'s ${up.length} addresses split ${split.map((x) => pct(x)).join(' / ')}, in the order the answers gave them.`);
  }
  return out;
}

/** The split's verdict, by the same test the conclusion's first sentence uses. */
function split(g: GroupStats | undefined): Summary['verdict']['split'] {
  if (!g) return 'none';
  if (g.gateways.length === 1) return 'one gateway';
  return g.chiSquare.pValue >= 0.001 || g.spreadPoints <= 2 ? 'even' : 'uneven';
}

export function summarize(tally: Tally, opts: { domain: string; family: SenderFamily; messages: number; down: ReadonlySet<string>; sent: number }): Summary {
  const delivered = opts.messages - tally.undelivered - tally.returned;
  const gateways = gatewayRows(tally, opts.down, delivered, opts.family);
  const group = groupStats(gateways);
  const blindWeight = (exchange: string): number => (group?.gateways.includes(exchange) ? 1 / group.gateways.length : 0);
  const serverAnswers = [...tally.serverFirst.values()].reduce((a, b) => a + b, 0);
  const seen = new Set(gateways.flatMap((r) => [r.exchange, ...r.addresses.map((a) => a.address)]));
  const summary: Omit<Summary, 'conclusion'> = {
    domain: opts.domain,
    family: opts.family,
    messages: opts.messages,
    delivered,
    undelivered: tally.undelivered,
    deferrals: tally.deferrals,
    deliveredLater: tally.deliveredLater,
    returned: tally.returned,
    gateways,
    group,
    firstUp: {
      lookups: tally.lookups,
      followed: tally.toFirstUp,
      orderBlind: [...tally.firstUp].reduce((sum, [exchange, n]) => sum + n * blindWeight(exchange), 0),
    },
    serverFirst: gateways.filter((r) => tally.serverFirst.has(r.exchange))
      .map((r) => ({ exchange: r.exchange, share: tally.serverFirst.get(r.exchange)! / serverAnswers })),
    queries: { ...tally.queries, sent: opts.sent },
    unmatchedDown: [...opts.down].filter((d) => !seen.has(d)),
    verdict: {
      split: split(group),
      unreachable: gateways.filter((r) => r.unreachable).map((r) => ({ exchange: r.exchange, preference: r.preference, reason: r.unreachable!, skipped: r.skipped })),
    },
  };
  return { ...summary, conclusion: conclude(summary) };
}

/** Rows as columns padded to their widest cell, right-aligned where asked. */
export function table(rows: string[][], rightAligned: ReadonlySet<number>): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (rightAligned.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd());
}

/** The report as text, under the `setup` lines that say what was run. */
export function formatText(s: Summary, setup: readonly string[]): string {
  // The skipped and rejected columns appear only in runs that have them.
  const skipped = s.gateways.some((r) => r.skipped > 0);
  const rejected = s.gateways.some((r) => r.rejected > 0);
  const extra = (r: GatewayRow | undefined): string[] => [
    ...skipped ? [r ? count(r.skipped) : ''] : [], ...rejected ? [r ? count(r.rejected) : ''] : [],
  ];
  const rows = [['gateway / address', 'pref', 'connections', 'share', 'refused', ...skipped ? ['skipped'] : [], ...rejected ? ['rejected'] : []]];
  for (const r of s.gateways) {
    const mark = r.down ? ' (down)' : r.unreachable ? ' (unreachable)' : '';
    rows.push([`${r.exchange}${mark}`, String(r.preference), count(r.connections), pct(r.share, 2), count(r.refused), ...extra(r)]);
    for (const a of r.addresses) rows.push([`  ${a.address}${a.down && !r.down ? ' (down)' : ''}`, '', count(a.connections), pct(a.share, 2), '', ...extra(undefined)]);
  }
  const lines = [...setup, '', ...table(rows, new Set([1, 2, 3, 4, 5, 6])), ''];
  if (s.deferrals > 0) lines.push(`deferred tries: ${count(s.deferrals)}; delivered on a later try: ${count(s.deliveredLater)}`);
  if (s.returned > 0) lines.push(`returned (rejected with 5xx): ${count(s.returned)} of ${count(s.messages)} messages`);
  if (s.undelivered > 0) lines.push(`undelivered: ${count(s.undelivered)} of ${count(s.messages)} messages`);
  const g = s.group;
  if (g) {
    lines.push(
      `preference-${g.preference} gateways up: ${g.gateways.length}, ${count(g.connections)} connections; even share ${pct(g.even, 2)}`,
      `spread: ${pct(g.minShare, 2)} to ${pct(g.maxShare, 2)} (±${g.spreadPoints.toFixed(2)} points), max/min ${Number.isFinite(g.ratio) ? g.ratio.toFixed(3) : '∞'}, coefficient of variation ${g.cv.toFixed(4)}`,
      `chi-square against an even split: ${g.chiSquare.statistic.toFixed(2)}, ${g.chiSquare.degreesOfFreedom} degrees of freedom, p = ${g.chiSquare.pValue.toPrecision(3)}`,
    );
  }
  lines.push(`listed first in the server's MX answers: ${s.serverFirst.map((f) => `${f.exchange} ${pct(f.share)}`).join(', ') || 'none'}`);
  if (s.firstUp.lookups > 0) {
    const f = s.firstUp;
    lines.push(`deliveries to the first gateway in the answer that was up: ${pct(f.followed / f.lookups)} of ${count(f.lookups)} lookups (order-blind: ${pct(f.orderBlind / f.lookups)})`);
  }
  const q = s.queries;
  lines.push(`DNS queries sent: ${count(q.sent)} (MX ${count(q.mx)}, A ${count(q.a)}${q.aaaa > 0 ? `, AAAA ${count(q.aaaa)}` : ''}${q.sent > q.mx + q.a + q.aaaa ? ', the rest retries' : ''}) for ${count(s.messages)} messages`);
  for (const d of s.unmatchedDown) lines.push(`note: --down ${d} matched no gateway or address in the answers`);
  lines.push('', 'conclusion:', ...s.conclusion.map((c) => `  ${c}`));
  return lines.join('\n');
}
