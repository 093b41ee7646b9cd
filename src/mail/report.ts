// What the gateways themselves counted in `rotor mxsim --smtp`, set beside
// what the DNS-only simulation with the same seed predicted for each gateway.
import { table, type Summary } from '../mxsim/report.js';
import type { LabStation } from './lab.js';

export interface SmtpGatewayRow {
  exchange: string;
  /** host:port of each of its addresses' gateways. */
  listening: string[];
  down: boolean;
  /** Messages the gateway took (250 after DATA). */
  accepted: number;
  /** Sessions it refused with 554 5.7.1 (listed clients). */
  rejected: number;
  /** Of all sessions the gateways answered, accepted or rejected. */
  share: number;
  /** The DNS-only run's share of connections for this gateway. */
  predicted: number;
}

export interface SmtpReport {
  seconds: number;
  accepted: number;
  rejected: number;
  gateways: SmtpGatewayRow[];
  /** Largest distance between a gateway's share and its prediction, in percentage points. */
  maxDifferencePoints: number;
}

const hostPort = (host: string, port: number): string => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

export function compareWithPrediction(stations: readonly LabStation[], prediction: Summary, seconds: number): SmtpReport {
  const rows = new Map<string, SmtpGatewayRow>();
  for (const s of stations) {
    const row = rows.get(s.plan.exchange) ?? { exchange: s.plan.exchange, listening: [], down: true, accepted: 0, rejected: 0, share: 0, predicted: 0 };
    row.listening.push(hostPort(s.plan.listen, s.port));
    row.down &&= s.plan.down;
    row.accepted += s.gateway?.accepted ?? 0;
    row.rejected += s.gateway?.rejected ?? 0;
    rows.set(s.plan.exchange, row);
  }
  const accepted = [...rows.values()].reduce((n, r) => n + r.accepted, 0);
  const rejected = [...rows.values()].reduce((n, r) => n + r.rejected, 0);
  const sessions = accepted + rejected;
  for (const row of rows.values()) {
    row.share = sessions ? (row.accepted + row.rejected) / sessions : 0;
    row.predicted = prediction.gateways.find((g) => g.exchange === row.exchange)?.share ?? 0;
  }
  // In the order of the DNS-only report: by preference, then name.
  const order = (exchange: string): number => {
    const i = prediction.gateways.findIndex((g) => g.exchange === exchange);
    return i < 0 ? Infinity : i;
  };
  const gateways = [...rows.values()].sort((a, b) => order(a.exchange) - order(b.exchange));
  for (const g of gateways) g.listening.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const maxDifferencePoints = Math.max(0, ...gateways.map((r) => 100 * Math.abs(r.share - r.predicted)));
  return { seconds, accepted, rejected, gateways, maxDifferencePoints };
}

export function formatSmtp(r: SmtpReport): string {
  const count = (n: number): string => n.toLocaleString('en-US');
  const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
  const rows = [['gateway', 'listening on', 'accepted', 'rejected', 'share', 'DNS-only', 'difference']];
  for (const g of r.gateways) {
    const diff = 100 * (g.share - g.predicted);
    rows.push([`${g.exchange}${g.down ? ' (down)' : ''}`, g.listening.join(', '), count(g.accepted), count(g.rejected), pct(g.share), pct(g.predicted),
      `${diff >= 0 ? '+' : '−'}${Math.abs(diff).toFixed(2)}`]);
  }
  return [
    `SMTP sessions, counted by the gateways: ${count(r.accepted)} messages accepted and ${count(r.rejected)} sessions rejected in ${r.seconds.toFixed(1)} s`,
    '',
    ...table(rows, new Set([2, 3, 4, 5, 6])),
    '',
    `largest difference from the DNS-only run with the same seed: ${r.maxDifferencePoints.toFixed(2)} points`,
  ].join('\n');
}
