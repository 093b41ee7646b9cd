// The answer tables on the wire: a row of each table (test/query/answers/, run
// in-process in full by test/query/answers.test.ts) sent by real dig and real
// kdig to the real server, and checked by the same expectAnswer. The full tables
// need no sockets; these rows prove that what the handler answers is what
// arrives, over UDP and TCP, with and without EDNS, truncated where it must be.
import { after, before, describe, it } from 'node:test';
import { additional } from '../query/answers/additional.js';
import { any } from '../query/answers/any.js';
import { authoritative } from '../query/answers/authoritative.js';
import { cname } from '../query/answers/cname.js';
import { wideDelegation } from '../query/answers/delegation.js';
import { ent } from '../query/answers/ent.js';
import { negative } from '../query/answers/negative.js';
import { caseTitle, expectAnswer, row, type Case } from '../query/answers/table.js';
import { wildcard } from '../query/answers/wildcard.js';
import { zones } from '../query/answers/zones.js';
import { FIXTURE, query, startRotor, type Rotor } from './harness.js';

const ROWS = [
  row(authoritative, 'www.example.test A'),
  row(additional, 'example.test MX'),
  row(any, 'mail.example.test ANY over TCP'),
  row(cname, 'to-delegated.example.test A'),
  row(wideDelegation, 'host.wide.example.test A +noedns'),
  row(ent, 'b.c.example.test TXT'),
  row(negative, 'nothere.short-soa.test A'),
  row(wildcard, 'foo.wild.example.test MX'),
  row(zones, 'example.org A'),
];

/** The row's way of asking in dig's (and kdig's) options; +ignore shows a truncated reply instead of retrying over TCP. */
function options(c: Case): string[] {
  return [...(c.noedns ? ['+noedns'] : []), ...(c.bufsize ? [`+bufsize=${c.bufsize}`] : []), ...(c.tc ? ['+ignore'] : [])];
}

describe('answer tables over the wire', () => {
  let rotor: Rotor;
  before(async () => { rotor = await startRotor(FIXTURE); });
  after(async () => { await rotor.stop(); });
  for (const c of ROWS) {
    for (const tool of ['dig', 'kdig'] as const) {
      it(`${tool}: ${caseTitle(c)}`, async () => {
        const [name, type] = c.q.split(' ');
        const r = await query(rotor, name!, type!, { tool, tcp: c.tcp, options: options(c) });
        expectAnswer(c, r, `${tool}\n${r.raw}`);
      });
    }
  }
});
