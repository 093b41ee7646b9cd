// The signing threads: one per core (availableParallelism), fed batches of
// RRsets so that the RSA, ECDSA and Ed25519 computations of a large zone run
// beside the serving thread and not on it. A batch is one Buffer: per RRSIG to
// make, the index of its key (u8), the RRSIG RDATA before the signature (u16
// length, octets), the owner in canonical wire form (u8 length, octets) and the
// RRset's records (u16 count, then u16 length and RDATA each). What comes back
// is each signature as u16 length and octets, in the same order.
import type { KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { workerEntry } from '../worker-entry.js';
import type { Algorithm } from './keys.js';

export interface BatchKey {
  algorithm: Algorithm;
  privateKey: KeyObject;
}

export interface SignBatch {
  id: number;
  keys: BatchKey[];
  tasks: Uint8Array;
}

type Reply = { id: number; signatures: Uint8Array } | { id: number; error: string };

interface Thread {
  worker: Worker;
  /** Batches sent and not answered, by id. */
  waiting: Map<number, { resolve: (b: Buffer) => void; reject: (e: Error) => void }>;
}

export class SigningPool {
  private readonly threads: (Thread | undefined)[];
  private nextId = 0;

  constructor(readonly size = availableParallelism()) {
    this.threads = new Array<Thread | undefined>(Math.max(1, size)).fill(undefined);
  }

  /** Batches sent and not yet answered, across the threads. */
  get inFlight(): number {
    let n = 0;
    for (const t of this.threads) n += t?.waiting.size ?? 0;
    return n;
  }

  /** The signatures of a batch (see the layout above), made on the least busy thread. */
  sign(keys: BatchKey[], tasks: Uint8Array): Promise<Buffer> {
    let best = 0;
    for (let i = 1; i < this.threads.length; i++) if ((this.threads[i]?.waiting.size ?? 0) < (this.threads[best]?.waiting.size ?? 0)) best = i;
    const thread = this.threads[best] ?? (this.threads[best] = this.start(best));
    const id = this.nextId++;
    return new Promise<Buffer>((resolve, reject) => {
      thread.waiting.set(id, { resolve, reject });
      if (thread.waiting.size === 1) thread.worker.ref();
      const batch: SignBatch = { id, keys, tasks };
      thread.worker.postMessage(batch, [tasks.buffer as ArrayBuffer]);
    });
  }

  /** Ends the threads; batches under way fail. */
  async close(): Promise<void> {
    const all = this.threads.splice(0, this.threads.length, ...new Array<undefined>(this.threads.length).fill(undefined));
    await Promise.all(all.map((t) => t?.worker.terminate()));
  }

  private start(slot: number): Thread {
    const [entry, how] = workerEntry(import.meta.url, 'sign-worker');
    const thread: Thread = { worker: new Worker(entry, how), waiting: new Map() };
    thread.worker.on('message', (r: Reply) => {
      const w = thread.waiting.get(r.id);
      thread.waiting.delete(r.id);
      if (thread.waiting.size === 0) thread.worker.unref();
      if ('error' in r) w?.reject(new Error(`signing failed: ${r.error}`));
      else w?.resolve(Buffer.from(r.signatures.buffer, r.signatures.byteOffset, r.signatures.length));
    });
    // A thread that dies fails what it had; the next batch starts another in its place.
    const gone = (e: Error) => {
      if (this.threads[slot] === thread) this.threads[slot] = undefined;
      for (const w of thread.waiting.values()) w.reject(e);
      thread.waiting.clear();
    };
    thread.worker.on('error', gone);
    thread.worker.on('exit', (code) => gone(new Error(`a signing thread exited with code ${code}`)));
    thread.worker.unref();
    return thread;
  }
}

let shared: SigningPool | undefined;

/** The process's signing threads, started on first use; idle, they keep nothing alive. */
export function signingPool(): SigningPool {
  return (shared ??= new SigningPool());
}
