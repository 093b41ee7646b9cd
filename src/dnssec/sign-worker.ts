// A signing thread: takes batches of RRsets to sign (see signing-pool.ts for the
// layout), puts each in canonical form and signs it, and sends the signatures
// back in the order asked.
import { parentPort } from 'node:worker_threads';
import { signature, signedData } from './rrsig.js';
import type { SignBatch } from './signing-pool.js';

parentPort!.on('message', (batch: SignBatch) => {
  try {
    const out = signBatch(batch);
    parentPort!.postMessage({ id: batch.id, signatures: out }, [out.buffer as ArrayBuffer]);
  } catch (e) {
    parentPort!.postMessage({ id: batch.id, error: (e as Error).message });
  }
});

function signBatch({ keys, tasks }: SignBatch): Uint8Array {
  const buf = Buffer.from(tasks.buffer, tasks.byteOffset, tasks.length);
  const parts: Buffer[] = [];
  for (let at = 0; at < buf.length;) {
    const key = keys[buf[at]!]!;
    const headLength = buf.readUInt16BE(at + 1);
    const head = buf.subarray(at + 3, at + 3 + headLength);
    at += 3 + headLength;
    const owner = buf.subarray(at + 1, at + 1 + buf[at]!);
    at += 1 + buf[at]!;
    const count = buf.readUInt16BE(at);
    at += 2;
    const rdatas: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      const length = buf.readUInt16BE(at);
      rdatas.push(buf.subarray(at + 2, at + 2 + length));
      at += 2 + length;
    }
    // Type and original TTL are in the RRSIG head (RFC 4034 §3.1); the class is IN.
    const sig = signature(key.algorithm, key.privateKey, signedData(head, head.readUInt16BE(0), 1, head.readUInt32BE(4), owner, rdatas));
    const length = Buffer.alloc(2);
    length.writeUInt16BE(sig.length);
    parts.push(length, sig);
  }
  // A copy with an ArrayBuffer of its own, to transfer (Buffer.concat may use the shared pool).
  return new Uint8Array(Buffer.concat(parts));
}
