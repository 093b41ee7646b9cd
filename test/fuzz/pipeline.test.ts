// The fuzz run CI does: ~100k mutated real queries through the pipeline, each
// over UDP and over TCP. A failure prints the seed and the mutations; pin it in
// regressions.test.ts once fixed. `npm run fuzz -- --seconds N` runs longer.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { PipelineOptions } from '../../src/query/pipeline.js';
import { build, hostileCase } from './mutate.js';
import { fuzzPipeline, pipelineProblem } from './property.js';

const CI_RUNS = 100_000;

describe('fuzz: the pipeline on mutated queries', () => {
  let opts: PipelineOptions;
  before(async () => { opts = await fuzzPipeline(); });

  it(`${CI_RUNS} cases: never throws, every reply well formed and within the size the request allows`, () => {
    // Each case goes through the pipeline with the answer memo or without it
    // (plain queries are read without a Name with it), over UDP and over TCP.
    fc.assert(fc.property(hostileCase, fc.boolean(), (c, memo) => {
      const msg = build(c);
      const problem = pipelineProblem(opts, msg, memo);
      assert.equal(problem, undefined, `message ${msg.toString('hex')}`);
    }), { numRuns: CI_RUNS, includeErrorInReport: true });
  });
});
