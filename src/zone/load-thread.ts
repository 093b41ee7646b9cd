// Zone files read and parsed off the serving thread. Parsing a million-record
// zone takes seconds; on the thread that answers queries, every zone would go
// silent for that long. Here one worker thread loads one file at a time (a
// queue, so never more than one parse runs and memory stays bounded) into a
// ZoneVersion, which comes back as transferred buffers in one message and is
// served as it is: nothing is rebuilt on the serving thread.
import { Worker } from 'node:worker_threads';
import type { FileResult } from './directory.js';
import type { LoadOptions } from './load.js';
import type { LoaderReply, LoaderRequest } from './load-worker.js';
import { receiveZone } from './transport.js';
import { workerEntry } from '../worker-entry.js';

/** The loader thread's heap: a load that needs more fails as a load, not as the server. */
const LOADER_HEAP_MB = 1536;

/**
 * How long the thread waits for the next load before it ends. Its heap keeps
 * what the last parse left (hundreds of MB after a million-record file) until
 * that isolate collects, which an idle one may never do; ending the thread
 * gives it all back. A burst of loads (SIGHUP, an editor's saves) shares one thread.
 */
const IDLE_END_MS = 2000;

export class ZoneLoaderThread {
  private worker: Worker | undefined;
  /** Replies not yet taken, and the one waiting for a reply. */
  private readonly replies: LoaderReply[] = [];
  private waiting: ((r: LoaderReply | Error) => void) | undefined;
  /** Why the current thread ended, when it ended with no one waiting for a reply. */
  private failure: Error | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Loads asked for and not finished. */
  private pending = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  /** Loads `file` on the loader thread, after the loads asked for before it. Never rejects. */
  load(file: string, options: LoadOptions): Promise<FileResult> {
    this.pending++;
    clearTimeout(this.idleTimer);
    const run = this.queue.then(() => this.run(file, options)).finally(() => {
      if (--this.pending === 0) this.idleTimer = setTimeout(() => void this.endIdle(), IDLE_END_MS).unref();
    });
    this.queue = run;
    return run;
  }

  /** Ends the thread when no load came since the timer was set. */
  private async endIdle(): Promise<void> {
    const w = this.worker;
    if (this.pending > 0 || !w) return;
    this.worker = undefined;
    await w.terminate();
  }

  /** Ends the loader thread; loads asked for afterwards fail. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idleTimer);
    const w = this.worker;
    this.worker = undefined;
    await w?.terminate();
  }

  private start(): Worker {
    const [entry, how] = workerEntry(import.meta.url, 'load-worker');
    const w = new Worker(entry, { ...how, resourceLimits: { maxOldGenerationSizeMb: LOADER_HEAP_MB } });
    w.on('message', (r: LoaderReply) => {
      if (this.worker === w) this.deliver(r);
    });
    // Only the current thread's end concerns the load in progress; one replaced earlier has nothing to say.
    const gone = (e: Error) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      this.deliver(e);
    };
    w.on('error', gone);
    w.on('exit', (code) => gone(new Error(`it exited with code ${code}`)));
    // After the listeners, which would ref it again: an idle loader never keeps
    // the process alive (run() holds it while a load is under way).
    w.unref();
    return w;
  }

  private deliver(r: LoaderReply | Error): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) waiting(r);
    else if (r instanceof Error) this.failure ??= r;
    else this.replies.push(r);
  }

  private ask(w: Worker, req: LoaderRequest): Promise<LoaderReply> {
    w.postMessage(req);
    return this.reply();
  }

  private reply(): Promise<LoaderReply> {
    const ready = this.replies.shift();
    if (ready) return Promise.resolve(ready);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = (r) => (r instanceof Error ? reject(r) : resolve(r));
    });
  }

  private async run(file: string, options: LoadOptions): Promise<FileResult> {
    const failed = (message: string): FileResult => ({ file, ok: false, diagnostics: [{ pos: { file, line: 1, col: 1 }, severity: 'error', message }] });
    if (this.closed) return failed('the server is shutting down');
    this.replies.length = 0;
    this.failure = undefined;
    const w = (this.worker ??= this.start());
    w.ref();
    try {
      const { origin, ...rest } = options;
      const reply = await this.ask(w, { type: 'load', file, options: rest, origin: origin?.toString() });
      if (reply.type === 'failed') return { file, ok: false, diagnostics: reply.diagnostics };
      return { file, ok: true, zone: receiveZone(reply.zone), diagnostics: reply.diagnostics };
    } catch (e) {
      // The thread died (out of memory, a bug): a failed load; the next load starts a new thread.
      if (this.worker === w) {
        this.worker = undefined;
        void w.terminate();
      }
      return failed(`the zone loader thread failed: ${(e as Error).message}`);
    } finally {
      w.unref();
    }
  }
}
