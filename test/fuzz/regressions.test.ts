// Every failure the fuzzer found, pinned: the message as it failed, what went
// wrong, and what the pipeline answers now.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { PipelineOptions } from '../../src/query/pipeline.js';
import { Rcode } from '../../src/wire/types.js';
import { fuzzPipeline, outcomeOf, pipelineProblem } from './property.js';

const FOUND: { what: string; hex: string; rcode: number }[] = [
  {
    // big.example.test TXT with an OPT whose RDLENGTH (3) cuts its option
    // header short: the EDNS size (677) was honoured and 677 octets went out,
    // where dns2 (and BIND, and Knot) see no valid OPT and allow 512.
    what: 'an OPT record whose options do not fit its RDLENGTH',
    hex: '00020000000100000000000103626967076578616d706c650474657374000010000100002902a500000000000300000000',
    rcode: Rcode.FORMERR,
  },
  {
    // The question name is a pointer to offset 2, a zero octet in the header,
    // so it read as the root; the reply echoed the question as it came, and
    // in the reply offset 2 holds our flags: a name no decoder could read.
    what: 'a question name that is a compression pointer into the header',
    hex: '006700000001000000000001c0020c000100010000291000000000000000',
    rcode: Rcode.FORMERR,
  },
];

describe('fuzz regressions', () => {
  let opts: PipelineOptions;
  before(async () => { opts = await fuzzPipeline(); });

  for (const { what, hex, rcode } of FOUND) {
    it(what, () => {
      const msg = Buffer.from(hex, 'hex');
      assert.equal(pipelineProblem(opts, msg), undefined);
      assert.equal(outcomeOf(opts, msg, 'udp')?.rcode, rcode);
    });
  }
});
