// rotor ctl with workers: the primary owns the control socket and passes each
// request on to every worker over the cluster channel; the workers answer from
// their own servers (each loads and serves the zones itself).
import cluster, { type Worker } from 'node:cluster';
import { ControlError, type ControlRequest } from './socket.js';

const REQUEST = 'rotor:ctl-request';
const REPLY = 'rotor:ctl-reply';
/** A reload of a large zone takes a while: a worker has this long to answer. */
const REPLY_TIMEOUT_MS = 120_000;

type Reply = { ok: true; result: unknown } | { ok: false; error: string };

/** In a worker: answers the primary's requests with `handle`. */
export function answerRelayed(handle: (r: ControlRequest) => Promise<unknown>): void {
  process.on('message', (m: { type?: string; id?: number; request?: ControlRequest } | undefined) => {
    if (m?.type !== REQUEST || !m.request) return;
    handle(m.request).then(
      (result): Reply => ({ ok: true, result }),
      (e: unknown): Reply => ({ ok: false, error: (e as Error).message }),
    ).then((reply) => process.send?.({ type: REPLY, id: m.id, reply }));
  });
}

let nextId = 0;

/** In the primary: `request` to every worker; their results by worker id, or the first error. */
export async function relay(request: ControlRequest): Promise<{ worker: number; result: unknown }[]> {
  const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w?.isConnected() === true);
  const id = nextId++;
  const replies = await Promise.all(workers.map((w) => new Promise<{ worker: number; reply: Reply }>((resolve) => {
    const timer = setTimeout(() => done({ ok: false, error: `worker ${w.id} did not answer within ${REPLY_TIMEOUT_MS / 1000} s` }), REPLY_TIMEOUT_MS);
    const onMessage = (m: { type?: string; id?: number; reply?: Reply } | undefined) => {
      if (m?.type === REPLY && m.id === id && m.reply) done(m.reply);
    };
    const onExit = () => done({ ok: false, error: `worker ${w.id} exited before it answered` });
    function done(reply: Reply) {
      clearTimeout(timer);
      w.off('message', onMessage);
      w.off('exit', onExit);
      resolve({ worker: w.id, reply });
    }
    w.on('message', onMessage);
    w.once('exit', onExit);
    w.send({ type: REQUEST, id, request });
  })));
  const failed = replies.find((r) => !r.reply.ok);
  if (failed && !failed.reply.ok) throw new ControlError(failed.reply.error);
  return replies.map((r) => ({ worker: r.worker, result: (r.reply as { result: unknown }).result }));
}
