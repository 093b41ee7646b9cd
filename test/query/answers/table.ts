// Table-driven answer tests in the manner of CoreDNS's file plugin tests
// (test.Case): each case is a query and the sections expected back, one table
// per behaviour in this folder. test/query/answers.test.ts runs every table in
// this process through rotor's message handler (handler.ts), each row asked
// three ways — the answer memo on, asked once and asked again (first the full
// path fills it, then the memo answers), and the memo off — since the two paths
// must send the same answers. test/e2e/answers.test.ts sends a few rows over
// the wire with dig and kdig, checked by the same `expectAnswer`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { typeFromName } from '../../../src/wire/types.js';
import { FIXTURE, type Record_ } from '../../e2e/harness.js';
import { startHandler, type Ask, type Handler } from './handler.js';
import { present, type Presented } from './present.js';

export interface Case {
  /** "name TYPE", as one would give it to dig. */
  q: string;
  tcp?: boolean;
  /** No OPT record in the query (dig +noedns): 512 octets over UDP. */
  noedns?: boolean;
  /** The EDNS UDP payload size offered (dig +bufsize); dig's 1232 unless given. */
  bufsize?: number;
  status: string;
  /** The TC flag; off unless given. */
  tc?: boolean;
  aa: boolean;
  /** "owner ttl TYPE data", compared as sets (rotation changes the order). */
  answer?: string[];
  authority?: string[];
  /** Without the OPT pseudo-record. */
  additional?: string[];
  /**
   * Instead of `additional`: a truncated additional section, whose records must
   * be a proper subset of these (which whole RRsets fit is the encoder's choice).
   */
  additionalCutFrom?: string[];
  /** Further checks on the decoded response. */
  check?: (r: Presented) => void;
}

export interface Table {
  title: string;
  cases: Case[];
  /** The zone directory the rows are asked of: test/fixtures/answers unless given. */
  zonesDir?: string;
}

/** The row of `table` whose title (caseTitle) begins with `query`, such as "host.wide.example.test A +noedns". */
export function row(table: Table, query: string): Case {
  const found = table.cases.find((c) => caseTitle(c).split(' → ')[0] === query);
  if (!found) throw new Error(`no row ${query} in ${table.title}`);
  return found;
}

/** What `expectAnswer` compares: a decoded response, or dig's output parsed by the e2e harness. */
export type Sections = Pick<Presented, 'status' | 'flags' | 'answer' | 'authority' | 'additional'>;

/** Owners compared without case, as dig's output is parsed. */
const render = (rs: Record_[]) => rs.map((r) => `${r.name.toLowerCase()} ${r.ttl} ${r.type} ${r.data}`).sort();

/** The row's expectations against one response; `how` says which path sent it. */
export function expectAnswer(c: Case, r: Sections, how: string): void {
  const at = (what: string) => `${what} (${how})`;
  assert.equal(r.status, c.status, at('status'));
  assert.equal(r.flags.includes('aa'), c.aa, at(`AA flag: ${r.flags.join(' ')}`));
  assert.equal(r.flags.includes('tc'), c.tc ?? false, at(`TC flag: ${r.flags.join(' ')}`));
  assert.deepEqual(render(r.answer), [...(c.answer ?? [])].sort(), at('answer section'));
  assert.deepEqual(render(r.authority), [...(c.authority ?? [])].sort(), at('authority section'));
  if (c.additionalCutFrom) {
    const got = render(r.additional);
    assert.ok(got.length < c.additionalCutFrom.length, at(`additional section not truncated: ${got.length} records`));
    for (const rr of got) assert.ok(c.additionalCutFrom.includes(rr), at(`unexpected additional record ${rr}`));
  } else {
    assert.deepEqual(render(r.additional), [...(c.additional ?? [])].sort(), at('additional section'));
  }
}

/** The row's title: its query and how it is sent, dig-style. */
export function caseTitle(c: Case): string {
  const how = [c.tcp ? 'over TCP' : '', c.noedns ? '+noedns' : '', c.bufsize ? `+bufsize=${c.bufsize}` : ''].filter(Boolean);
  return `${c.q}${how.length ? ` ${how.join(' ')}` : ''} → ${c.status}`;
}

/** The row as a question to the handler. */
export function ask(c: Case): Ask {
  const [name, type] = c.q.split(' ');
  const code = typeFromName(type!);
  if (code === undefined) throw new Error(`unknown type in ${c.q}`);
  return { name: name!, type: code, tcp: c.tcp, edns: c.noedns ? false : c.bufsize };
}

/** One describe block: the table's rows against its zones (test/fixtures/answers unless given), in this process. */
export function answerTable({ title, cases, zonesDir = FIXTURE }: Table): void {
  describe(title, () => {
    let memo: Handler;
    let full: Handler;
    before(async () => { [memo, full] = await Promise.all([startHandler(zonesDir, true), startHandler(zonesDir, false)]); });
    after(async () => { await Promise.all([memo.close(), full.close()]); });
    for (const c of cases) {
      it(caseTitle(c), async () => {
        const q = ask(c);
        for (const [how, handler] of [['memo on, first query', memo], ['memo on, repeated', memo], ['memo off', full]] as const) {
          const r = present(await handler.ask(q));
          expectAnswer(c, r, how);
          c.check?.(r);
        }
      });
    }
  });
}

/** The negative-answer SOA of example.test: TTL min(3600, minimum 600) = 600. */
export const SOA = 'example.test. 600 SOA ns1.example.test. hostmaster.example.test. 2024010101 7200 900 1209600 600';
