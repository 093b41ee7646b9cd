// npm run fuzz -- [--seconds N] [--seed S]: the CI property for as long as asked.
// A failure prints the shrunk case and the message in hex, ready to pin in
// regressions.test.ts; exit code 1.
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { build, hostileCase } from './mutate.js';
import { fuzzPipeline, pipelineProblem } from './property.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '60' }, seed: { type: 'string' } } });
const seconds = Number(values.seconds);
if (!(seconds > 0)) throw new Error(`--seconds: expected a positive number, got ${values.seconds}`);
const seed = values.seed === undefined ? Date.now() | 0 : Number(values.seed);

const opts = await fuzzPipeline();
let cases = 0;
const details = fc.check(fc.property(hostileCase, fc.boolean(), (c, fast) => {
  cases++;
  const problem = pipelineProblem(opts, build(c), fast);
  if (problem) throw new Error(problem);
}), { seed, numRuns: Number.MAX_SAFE_INTEGER, interruptAfterTimeLimit: seconds * 1000, markInterruptAsFailure: false, includeErrorInReport: true });

if (details.failed && details.counterexample) {
  const [c] = details.counterexample;
  console.error(fc.defaultReportMessage(details));
  console.error(`message (hex): ${build(c).toString('hex')}`);
  process.exitCode = 1;
} else {
  console.log(`fuzz: ${cases} cases in ${seconds} s (seed ${seed}), no failure`);
}
