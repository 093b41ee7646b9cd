// The loader thread (see load-thread.ts): reads, parses and checks one zone file
// at a time, then hands the zone over in chunks, one each time it is asked.
import { parentPort } from 'node:worker_threads';
import type { Diagnostic } from './errors.js';
import { loadOne } from './directory.js';
import type { LoadOptions } from './load.js';
import { Name } from '../wire/name.js';
import { packNodes, zoneHead, type PackedChunk } from './transport.js';

/** `origin` travels as text: a Name does not survive the structured clone. */
export type LoaderRequest = { type: 'load'; file: string; options: Omit<LoadOptions, 'origin'>; origin?: string } | { type: 'next' };
export type LoaderReply =
  | { type: 'failed'; diagnostics: Diagnostic[] }
  | { type: 'head'; head: ReturnType<typeof zoneHead>; diagnostics: Diagnostic[] }
  | { type: 'chunk'; chunk: PackedChunk }
  | { type: 'end' };

/** Records per chunk: small enough that taking one in costs the serving thread a millisecond or two. */
const RECORDS_PER_CHUNK = 2000;
/** Of each severity, the ones reported: a zone with a million warnings would otherwise log a million lines. */
const MAX_REPORTED = 100;

function reported(diagnostics: Diagnostic[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const severity of ['error', 'warning'] as const) {
    const all = diagnostics.filter((d) => d.severity === severity);
    out.push(...all.slice(0, MAX_REPORTED));
    if (all.length > MAX_REPORTED) {
      out.push({ pos: all[MAX_REPORTED]!.pos, severity, message: `${all.length - MAX_REPORTED} more ${severity}s not shown (rotor check lists them all)` });
    }
  }
  return out;
}

const port = parentPort!;
let chunks: Iterator<PackedChunk> | undefined;

port.on('message', (req: LoaderRequest) => {
  void (async () => {
    if (req.type === 'next') {
      const next = chunks?.next();
      if (!next || next.done) {
        chunks = undefined;
        port.postMessage({ type: 'end' } satisfies LoaderReply);
      } else {
        port.postMessage({ type: 'chunk', chunk: next.value } satisfies LoaderReply);
      }
      return;
    }
    chunks = undefined;
    const r = await loadOne(req.file, { ...req.options, origin: req.origin === undefined ? undefined : Name.parse(req.origin) });
    if (!r.ok) {
      port.postMessage({ type: 'failed', diagnostics: reported(r.diagnostics) } satisfies LoaderReply);
      return;
    }
    const head = zoneHead(r.zone);
    chunks = packNodes(r.zone, RECORDS_PER_CHUNK);
    port.postMessage({ type: 'head', head, diagnostics: reported(r.diagnostics) } satisfies LoaderReply);
  })();
});
