// The property every message must satisfy, shared by the CI test, the
// regression cases and `npm run fuzz`: handleMessage does not throw, and what it
// returns over UDP and over TCP passes the oracle.
import { join } from 'node:path';
import { Catalog } from '../../src/lifecycle/catalog.js';
import type { Transport } from '../../src/net/context.js';
import { AnswerMemo } from '../../src/query/memo.js';
import { Rotation } from '../../src/authority/rotation.js';
import { handleMessage, type Outcome, type PipelineOptions } from '../../src/query/pipeline.js';
import { createLogger } from '../../src/log.js';
import { defaultTransferSettings, parseKeys } from '../../src/transfer/settings.js';
import { Transfers } from '../../src/transfer/transfers.js';
import { loadOne, zoneFilesIn } from '../../src/zone/directory.js';
import { FIXTURE, REPO } from '../e2e/harness.js';
import { problemWith } from './oracle.js';
import { TSIG_KEY } from './seeds.js';

/**
 * The example mail domain and the answer fixture (referrals, wildcards, CNAME
 * loops, a big TXT), served as DnsServer serves them: with the answer memo,
 * with NOTIFY, transfers and TSIG handled: the signed seeds' key is known, but
 * nothing may be transferred.
 */
export async function fuzzPipeline(dirs = [join(REPO, 'zones'), FIXTURE]): Promise<PipelineOptions> {
  const catalog = new Catalog();
  for (const dir of dirs) {
    for (const file of await zoneFilesIn(dir)) {
      const r = await loadOne(file, { defaultTtl: 3600 });
      if (!r.ok) throw new Error(`fuzz zone ${file} did not load`);
      catalog.set(r.zone);
    }
  }
  const rotation = new Rotation(() => 'cyclic');
  return { catalog, rotation, memo: new AnswerMemo(catalog, rotation), transfers: new Transfers({ ...defaultTransferSettings(), keys: parseKeys(TSIG_KEY, '.') }, createLogger('silent')) };
}

/** handleMessage for a client at 192.0.2.1, which nothing here answers later. */
export function outcomeOf(opts: PipelineOptions, msg: Buffer, transport: Transport): Outcome | undefined {
  const out = handleMessage(msg, { transport, client: { address: '192.0.2.1', port: 5353 } }, opts);
  if (out instanceof Promise) throw new Error('an answer that comes later, with no forwarder configured');
  return out;
}

const TRANSPORTS: Transport[] = ['udp', 'tcp'];

/**
 * Why the pipeline mishandles `msg`, or undefined when it does not: with the
 * answer memo, without it, or (when `memo` is not given) both.
 */
export function pipelineProblem(opts: PipelineOptions, msg: Buffer, memo?: boolean): string | undefined {
  const without = { ...opts, memo: undefined };
  for (const pipeline of memo === undefined ? [opts, without] : [memo ? opts : without]) {
    for (const transport of TRANSPORTS) {
      const path = `${transport}${pipeline.memo ? '' : ' without the answer memo'}`;
      let reply: Buffer | undefined;
      try {
        reply = outcomeOf(pipeline, msg, transport)?.response;
      } catch (e) {
        return `${path}: handleMessage threw ${(e as Error).stack ?? String(e)}`;
      }
      const problem = problemWith(msg, reply, transport);
      if (problem) return `${path}: ${problem}`;
    }
  }
  return undefined;
}
