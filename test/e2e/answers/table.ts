// Table-driven answer tests in the manner of CoreDNS's file plugin tests: each
// case is a query and the sections expected back, checked through real dig
// against the real server serving test/fixtures/answers/.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { query, REPO, startRotor, type DigResult, type Record_, type Rotor } from '../harness.js';

export interface Case {
  /** "name TYPE" as given to dig. */
  q: string;
  tcp?: boolean;
  /** Extra dig options, such as +noedns or +bufsize=4096. */
  options?: string[];
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
  /** Further checks on the parsed response. */
  check?: (r: DigResult) => void;
}

export const FIXTURE = join(REPO, 'test', 'fixtures', 'answers');

const render = (rs: Record_[]) => rs.map((r) => `${r.name} ${r.ttl} ${r.type} ${r.data}`).sort();

export function answerTable(title: string, cases: Case[]): void {
  describe(title, () => {
    let rotor: Rotor;
    before(async () => { rotor = await startRotor(FIXTURE); });
    after(async () => { await rotor.stop(); });
    for (const c of cases) {
      it(`${c.q}${c.tcp ? ' over TCP' : ''}${c.options ? ` ${c.options.join(' ')}` : ''} → ${c.status}`, async () => {
        const [name, type] = c.q.split(' ');
        const r = await query(rotor, name!, type!, { tcp: c.tcp, options: c.options });
        assert.equal(r.status, c.status, r.raw);
        assert.equal(r.flags.includes('aa'), c.aa, `AA flag: ${r.flags.join(' ')}`);
        assert.equal(r.flags.includes('tc'), c.tc ?? false, `TC flag: ${r.flags.join(' ')}`);
        assert.deepEqual(render(r.answer), [...(c.answer ?? [])].sort(), 'answer section');
        assert.deepEqual(render(r.authority), [...(c.authority ?? [])].sort(), 'authority section');
        if (c.additionalCutFrom) {
          const got = render(r.additional);
          assert.ok(got.length < c.additionalCutFrom.length, `additional section not truncated: ${got.length} records`);
          for (const rr of got) assert.ok(c.additionalCutFrom.includes(rr), `unexpected additional record ${rr}`);
        } else {
          assert.deepEqual(render(r.additional), [...(c.additional ?? [])].sort(), 'additional section');
        }
        c.check?.(r);
      });
    }
  });
}

/** The negative-answer SOA of example.test: TTL min(3600, minimum 600) = 600. */
export const SOA = 'example.test. 600 SOA ns1.example.test. hostmaster.example.test. 2024010101 7200 900 1209600 600';
