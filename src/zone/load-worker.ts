// The loader thread (see load-thread.ts): reads, parses, builds and checks one
// zone file at a time into a ZoneVersion, then hands it over as its buffers.
// A large master file is read in two parts: the second on a helper thread,
// which runs this same module and answers 'part' requests.
import { statSync } from 'node:fs';
import { parentPort, resourceLimits, Worker } from 'node:worker_threads';
import type { Diagnostic } from './errors.js';
import { loadWith } from './directory.js';
import { isYamlZone, loadZoneVersion, PARTS_FROM, readPart, type LoadOptions, type PartReply, type PartRequest } from './load.js';
import { Name } from '../wire/name.js';
import { handOverZone, type ZoneHandOver } from './transport.js';
import { workerEntry } from '../worker-entry.js';

/** `origin` travels as text: a Name does not survive the structured clone. */
export type LoaderRequest = { type: 'load'; file: string; options: Omit<LoadOptions, 'origin'>; origin?: string };
export type LoaderReply =
  | { type: 'failed'; diagnostics: Diagnostic[] }
  | { type: 'zone'; zone: ZoneHandOver; diagnostics: Diagnostic[] };
/**
 * Between the loader and its helper. A part the loader stopped waiting for (the
 * head had errors, or ran past the cut) is still answered: `id` tells that
 * answer from the next one's.
 */
type HelperRequest = { type: 'part'; id: number } & PartRequest;
type HelperReply = { type: 'part'; id: number; reply: PartReply | undefined };

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

/** The helper thread, started for the first large master file and ended with this thread. */
let helper: Worker | undefined;

function startHelper(): Worker {
  const [entry, how] = workerEntry(import.meta.url, 'load-worker');
  const w = new Worker(entry, { ...how, resourceLimits });
  // A helper that fails costs only time: its part is read here (see readElsewhere).
  w.on('error', () => {});
  w.on('exit', () => {
    if (helper === w) helper = undefined;
  });
  return w;
}

let lastId = 0;

function readElsewhere(req: PartRequest): Promise<PartReply | undefined> {
  const w = (helper ??= startHelper());
  const id = ++lastId;
  return new Promise((resolve) => {
    const done = (reply: PartReply | undefined) => {
      w.off('message', answered);
      w.off('exit', ended);
      resolve(reply);
    };
    const answered = (m: HelperReply) => m.id === id && done(m.reply);
    const ended = () => done(undefined);
    w.on('message', answered);
    w.on('exit', ended);
    w.postMessage({ type: 'part', id, ...req } satisfies HelperRequest);
  });
}

/** The part's columns go back as transferred buffers, not copies. */
function readPartHere({ id, ...req }: HelperRequest): void {
  let reply: PartReply | undefined;
  try {
    reply = readPart(req);
  } catch {
    // A bug here must not fail the load: the loader reads the part itself.
  }
  const s = reply?.staged;
  const transfer = s ? [s.keys, s.keyStart, s.cases, s.caseStart, s.stage, s.type, s.ttl, s.data, s.dataStart, s.file, s.line, s.col].map((a) => a.buffer as ArrayBuffer) : [];
  port.postMessage({ type: 'part', id, reply } satisfies HelperReply, transfer);
}

port.on('message', (req: LoaderRequest | HelperRequest) => {
  if (req.type === 'part') return readPartHere(req);
  void (async () => {
    // Started before the file is read, so that it is ready when the part is.
    if (!helper && !isYamlZone(req.file, req.options) && sizeOf(req.file) >= PARTS_FROM) helper = startHelper();
    const r = await loadWith((file, opts) => loadZoneVersion(file, opts, readElsewhere), req.file, { ...req.options, origin: req.origin === undefined ? undefined : Name.parse(req.origin) });
    if (!r.ok) {
      port.postMessage({ type: 'failed', diagnostics: reported(r.diagnostics) } satisfies LoaderReply);
      return;
    }
    const { message, transfer } = handOverZone(r.zone, req.file);
    port.postMessage({ type: 'zone', zone: message, diagnostics: reported(r.diagnostics) } satisfies LoaderReply, transfer);
  })();
});

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0; // the load says why
  }
}
