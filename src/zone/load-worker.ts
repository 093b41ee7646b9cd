// The loader thread (see load-thread.ts): reads, parses, builds and checks one
// zone file at a time into a ZoneVersion, then hands it over as its buffers.
// A large zone gets a helper thread, which runs this same module: it reads the
// second part of a master file and runs the last third of the checks (see LoadHelper).
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parentPort, resourceLimits, Worker } from 'node:worker_threads';
import type { Diagnostic } from './errors.js';
import { loadWith } from './directory.js';
import { checkPart, HELPED_FROM, loadZoneVersion, readPart, type CheckRequest, type LoadHelper, type LoadOptions, type PartRequest } from './load.js';
import { Name } from '../wire/name.js';
import { handOverZone, type ZoneHandOver } from './transport.js';
import { workerEntry } from '../worker-entry.js';
import { movable } from './columns.js';

/** `origin` travels as text: a Name does not survive the structured clone. */
export type LoaderRequest = { type: 'load'; file: string; options: Omit<LoadOptions, 'origin'>; origin?: string };
export type LoaderReply =
  | { type: 'failed'; diagnostics: Diagnostic[] }
  | { type: 'zone'; zone: ZoneHandOver; diagnostics: Diagnostic[] };
/**
 * Between the loader and its helper. A part the loader stopped waiting for (the
 * head had errors) is still answered: `id` tells that answer from the next one's.
 */
type HelperTask = { type: 'part'; req: PartRequest } | { type: 'check'; req: CheckRequest };
type HelperRequest = HelperTask & { id: number };
type HelperReply = { id: number; reply: unknown };

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

/** The helper thread, started for the first large zone and ended with this thread. */
let helper: Worker | undefined;

function startHelper(): Worker {
  const [entry, how] = workerEntry(import.meta.url, 'load-worker');
  // Half the loader's heap: a helper that runs out fails its task, which the loader then does itself.
  const limits = { ...resourceLimits };
  if (limits.maxOldGenerationSizeMb) limits.maxOldGenerationSizeMb /= 2;
  const w = new Worker(entry, { ...how, resourceLimits: limits });
  // A helper that fails costs only time: the loader does its work itself (see ask).
  w.on('error', () => {});
  w.on('exit', () => {
    if (helper === w) helper = undefined;
  });
  return w;
}

function tryStart(): Worker | undefined {
  try {
    return startHelper();
  } catch {
    return undefined;
  }
}

let lastId = 0;

/** The helper's reply to `task`, or undefined when it cannot answer (it ended, or could not start or be reached). Never rejects. */
function ask<T>(task: HelperTask): Promise<T | undefined> {
  return new Promise((resolve) => {
    let w: Worker | undefined;
    const id = ++lastId;
    const done = (reply: T | undefined) => {
      w?.off('message', answered).off('messageerror', ended).off('exit', ended);
      resolve(reply);
    };
    const answered = (m: HelperReply) => m.id === id && done(m.reply as T | undefined);
    const ended = () => done(undefined);
    try {
      w = helper ??= startHelper();
      // A reply that cannot be read would otherwise be waited for until the helper ends.
      w.on('message', answered).on('messageerror', ended).on('exit', ended);
      // Shared memory (the part's octets, the version's columns) is shared, not copied.
      w.postMessage({ id, ...task } satisfies HelperRequest);
    } catch {
      done(undefined);
    }
  });
}

const asHelper: LoadHelper = {
  readPart: (req) => ask({ type: 'part', req }),
  check: (req) => ask({ type: 'check', req }),
};

/** Runs a request as the helper; the part's columns go back as transferred buffers, not copies. */
function help(m: HelperRequest): void {
  let reply;
  let transfer: ArrayBuffer[] = [];
  try {
    if (m.type === 'check') reply = checkPart(m.req);
    else {
      reply = readPart(m.req);
      const s = reply.staged;
      transfer = movable([s.keys, s.keyStart, s.cases, s.caseStart, s.stage, s.type, s.ttl, s.data, s.dataStart, s.file, s.line, s.col, ...(s.order ? [s.order] : [])]);
    }
  } catch {
    // A bug here must not fail the load: the loader does the work itself.
    reply = undefined;
    transfer = [];
  }
  port.postMessage({ id: m.id, reply } satisfies HelperReply, transfer);
}

/** A helper only helps with a processor of its own: on one (taskset, a container's cpuset) it would only take turns with the loader. */
const helps = availableParallelism() > 1;

port.on('message', (req: LoaderRequest | HelperRequest) => {
  if (req.type !== 'load') return help(req);
  void (async () => {
    // Started before the file is read, so that it is ready when the part is
    // (when it cannot start, ask() says so and the loader works alone).
    if (helps && !helper && sizeOf(req.file) >= HELPED_FROM) helper = tryStart();
    const r = await loadWith((file, opts) => loadZoneVersion(file, opts, helps ? asHelper : undefined), req.file, { ...req.options, origin: req.origin === undefined ? undefined : Name.parse(req.origin) });
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
