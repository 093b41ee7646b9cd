// Several server processes on the same sockets, with node:cluster. Node 20 has
// no reusePort for UDP, but a cluster shares handles: the primary binds the UDP
// socket once and every worker reads from it, and TCP connections are accepted
// by the primary and handed to the workers in turn. Each worker loads and
// watches the zones itself and keeps its own rotation counters; the primary
// only starts workers, replaces those that die, relays SIGHUP and stops them.
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../log.js';

const READY = 'rotor:ready';
/** A worker that does not stop within this after SIGTERM is killed. */
const STOP_GRACE_MS = 10_000;
/** Replacements of workers that keep dying wait longer, up to this. */
const MAX_RESTART_DELAY_MS = 30_000;

/** In a worker: tells the primary that this process answers queries now. */
export function reportReady(): void {
  if (cluster.isWorker) process.send!({ type: READY });
}

/**
 * In the primary: runs `count` workers (this same program, with the same
 * arguments) until SIGTERM or SIGINT. Resolves with the exit code: 0 after a
 * clean stop, or the code of a worker that could not start (bad settings, a
 * port in use), since starting it again would fail the same way.
 */
/** Environment variable telling a worker its slot (0 … count-1). */
export const WORKER_SLOT = 'ROTOR_WORKER_SLOT';

/**
 * Every worker loads and reloads the zones itself, but one NOTIFY per change is
 * enough: only the worker in slot 0 (or a server without workers) sends them.
 */
export function sendsNotify(): boolean {
  return !cluster.isWorker || process.env[WORKER_SLOT] === '0';
}

export function superviseWorkers(count: number, logger: Logger, whenReady?: () => void): Promise<number> {
  const ready = new Set<number>();
  let allReady = false;
  let stopping = false;
  let exitCode = 0;
  const deaths: number[] = [];
  let finish: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => { finish = resolve; });

  const alive = (): Worker[] => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);

  // Each worker has a slot, kept by its replacement: slot 0 is the one that sends NOTIFY.
  const slots = new Map<number, number>();
  const start = (slot: number): void => {
    if (stopping) return;
    const worker = cluster.fork({ [WORKER_SLOT]: String(slot) });
    slots.set(worker.id, slot);
    logger.info({ worker: worker.id, pid: worker.process.pid }, 'worker started');
    // A worker gone while the primary writes to it (EPIPE) is reported by its 'exit'.
    worker.on('error', () => {});
    worker.on('message', (m: { type?: string } | undefined) => {
      if (m?.type !== READY) return;
      ready.add(worker.id);
      if (allReady) {
        logger.info({ worker: worker.id, pid: worker.process.pid }, 'worker ready');
      } else if (ready.size === count) {
        allReady = true;
        logger.info({ workers: count, pids: alive().map((w) => w.process.pid) }, 'workers ready');
        // The primary holds the shared sockets: once every worker has them, user: and group: take effect here.
        try {
          whenReady?.();
        } catch (e) {
          logger.error({ err: e }, `${(e as Error).message}: stopping`);
          stop(2);
        }
      }
    });
  };

  const stop = (code: number): void => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    const workers = alive();
    if (workers.length === 0) return finish(exitCode);
    for (const w of workers) w.process.kill('SIGTERM');
    setTimeout(() => { for (const w of alive()) w.process.kill('SIGKILL'); }, STOP_GRACE_MS).unref();
  };

  cluster.on('exit', (worker, code, signal) => {
    const wasReady = ready.delete(worker.id);
    if (stopping) {
      if (alive().length === 0) finish(exitCode);
      return;
    }
    if (!allReady && !wasReady) {
      logger.error({ worker: worker.id, pid: worker.process.pid, code, signal }, 'worker could not start: stopping');
      return stop(code || 1);
    }
    // Back off when workers keep dying, so that a crash loop does not spin.
    const now = Date.now();
    deaths.push(now);
    while (deaths[0]! < now - 60_000) deaths.shift();
    const delay = Math.min(MAX_RESTART_DELAY_MS, 100 * 2 ** (deaths.length - 1));
    logger.error({ worker: worker.id, pid: worker.process.pid, code, signal, restartInMs: delay }, 'worker exited: starting another');
    setTimeout(() => start(slots.get(worker.id) ?? 0), delay);
  });

  process.on('SIGHUP', () => {
    logger.info({ workers: alive().length }, 'SIGHUP: passed on to every worker');
    for (const w of alive()) w.process.kill('SIGHUP');
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'shutting down');
      stop(0);
    });
  }

  for (let i = 0; i < count; i++) start(i);
  return done.then((code) => {
    logger.info({ code }, 'stopped');
    return code;
  });
}
