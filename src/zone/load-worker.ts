// The loader thread (see load-thread.ts): reads, parses, builds and checks one
// zone file at a time into a ZoneVersion, then hands it over as its buffers.
import { parentPort } from 'node:worker_threads';
import type { Diagnostic } from './errors.js';
import { loadWith } from './directory.js';
import { loadZoneVersion, type LoadOptions } from './load.js';
import { Name } from '../wire/name.js';
import { handOverZone, type ZoneHandOver } from './transport.js';

/** `origin` travels as text: a Name does not survive the structured clone. */
export type LoaderRequest = { type: 'load'; file: string; options: Omit<LoadOptions, 'origin'>; origin?: string };
export type LoaderReply =
  | { type: 'failed'; diagnostics: Diagnostic[] }
  | { type: 'zone'; zone: ZoneHandOver; diagnostics: Diagnostic[] };

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

port.on('message', (req: LoaderRequest) => {
  void (async () => {
    const r = await loadWith(loadZoneVersion, req.file, { ...req.options, origin: req.origin === undefined ? undefined : Name.parse(req.origin) });
    if (!r.ok) {
      port.postMessage({ type: 'failed', diagnostics: reported(r.diagnostics) } satisfies LoaderReply);
      return;
    }
    const { message, transfer } = handOverZone(r.zone, req.file);
    port.postMessage({ type: 'zone', zone: message, diagnostics: reported(r.diagnostics) } satisfies LoaderReply, transfer);
  })();
});
