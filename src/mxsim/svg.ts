// A bar chart of connections per gateway, each bar stacked by address, with
// the even-share line of the preferred gateways: plain SVG text, readable in a
// browser or embedded in Markdown.
import type { Summary } from './report.js';

const WIDTH_PER_BAR = 130;
const MARGIN = { top: 96, right: 40, bottom: 92, left: 84 };
const PLOT_HEIGHT = 280;
const PREFERRED = ['#4e79a7', '#a0cbe8'];
const OTHER = ['#f28e2b', '#ffbe7d'];

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The smallest 1, 2 or 5 × 10^n step that splits `max` into at most five ticks. */
function tickStep(max: number): number {
  const raw = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
}

/** `mx1` for mx1.corp.example. in corp.example.; names outside the domain stay whole. */
function shortName(exchange: string, domain: string): string {
  return exchange.endsWith(`.${domain}`) ? exchange.slice(0, -domain.length - 1) : exchange;
}

export function renderSvg(s: Summary, title: string, subtitle: readonly string[]): string {
  const bars = Math.max(s.gateways.length, 1);
  const plotWidth = bars * WIDTH_PER_BAR;
  const width = MARGIN.left + plotWidth + MARGIN.right;
  const height = MARGIN.top + PLOT_HEIGHT + MARGIN.bottom;
  const g = s.group;
  const evenCount = g ? g.connections * g.even : 0;
  // Headroom above the tallest bar for its label.
  const peak = Math.max(1, evenCount, ...s.gateways.map((r) => r.connections)) * 1.12;
  const step = tickStep(peak);
  const top = step * Math.ceil(peak / step);
  const y = (v: number): number => MARGIN.top + PLOT_HEIGHT - (v / top) * PLOT_HEIGHT;
  const baseline = y(0);

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="28" text-anchor="middle" font-size="17" font-weight="bold">${escape(title)}</text>`,
    ...subtitle.map((line, i) => `<text x="${width / 2}" y="${50 + 16 * i}" text-anchor="middle" font-size="12" fill="#444">${escape(line)}</text>`),
  ];
  for (let v = 0; v <= top + step / 2; v += step) {
    out.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${y(v)}" y2="${y(v)}" stroke="#e3e3e3"/>`,
      `<text x="${MARGIN.left - 8}" y="${y(v) + 4}" text-anchor="end" font-size="11" fill="#333">${v.toLocaleString('en-US')}</text>`,
    );
  }
  out.push(
    `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${baseline}" stroke="#333"/>`,
    `<text transform="translate(22 ${MARGIN.top + PLOT_HEIGHT / 2}) rotate(-90)" text-anchor="middle" font-size="13">connections</text>`,
    `<text x="${MARGIN.left + plotWidth / 2}" y="${height - 14}" text-anchor="middle" font-size="13">gateway (MX preference), each bar stacked by address</text>`,
  );

  s.gateways.forEach((r, i) => {
    const barWidth = WIDTH_PER_BAR * 0.7;
    const x = MARGIN.left + i * WIDTH_PER_BAR + (WIDTH_PER_BAR - barWidth) / 2;
    const palette = g?.gateways.includes(r.exchange) ? PREFERRED : OTHER;
    let stacked = 0;
    r.addresses.forEach((a, j) => {
      if (a.connections === 0) return;
      const y0 = y(stacked + a.connections);
      const h = y(stacked) - y0;
      stacked += a.connections;
      out.push(`<rect x="${x}" y="${y0}" width="${barWidth}" height="${h}" fill="${palette[j % 2]}" stroke="#fff"><title>${escape(`${a.address}: ${a.connections.toLocaleString('en-US')}`)}</title></rect>`);
      if (h >= 16) out.push(`<text x="${x + barWidth / 2}" y="${y0 + h / 2 + 4}" text-anchor="middle" font-size="10" fill="${j % 2 ? '#222' : '#fff'}">${escape(a.address)}</text>`);
    });
    const label = r.down ? 'down' : `${r.connections.toLocaleString('en-US')} (${(100 * r.share).toFixed(1)}%)`;
    out.push(
      // A white halo keeps the value readable where the even-share line crosses it.
      `<text x="${x + barWidth / 2}" y="${y(r.connections) - 7}" text-anchor="middle" font-size="11" font-weight="bold" fill="${r.down ? '#c0392b' : '#222'}" stroke="#fff" stroke-width="3" paint-order="stroke">${label}</text>`,
      `<text x="${x + barWidth / 2}" y="${baseline + 18}" text-anchor="middle" font-size="12">${escape(shortName(r.exchange, s.domain))}<title>${escape(r.exchange)}</title></text>`,
      `<text x="${x + barWidth / 2}" y="${baseline + 34}" text-anchor="middle" font-size="11" fill="#555">(${r.preference})</text>`,
    );
  });

  if (g && g.gateways.length > 1) {
    out.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${y(evenCount)}" y2="${y(evenCount)}" stroke="#c0392b" stroke-width="1.5" stroke-dasharray="6 4"/>`,
      // The legend sits above the plot, where no bar label can cover it.
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + 28}" y1="${MARGIN.top - 12}" y2="${MARGIN.top - 12}" stroke="#c0392b" stroke-width="1.5" stroke-dasharray="6 4"/>`,
      `<text x="${MARGIN.left + 34}" y="${MARGIN.top - 8}" font-size="11" fill="#c0392b">even share of the ${g.gateways.length} up preference-${g.preference} gateways: ${evenCount.toLocaleString('en-US', { maximumFractionDigits: 0 })} connections each (${(100 * g.even).toFixed(1)}% of theirs)</text>`,
    );
  }
  out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${baseline}" y2="${baseline}" stroke="#333"/>`, '</svg>');
  return out.join('\n') + '\n';
}
