// What happened to each zone file, from the server's zone events: when it was
// last loaded, the error that rejected its last edit, and how many loads
// succeeded or failed. The status page, /readyz and the reload counter read it.
import type { EventEmitter } from 'node:events';
import { basename } from 'node:path';
import type { Catalog } from '../lifecycle/catalog.js';
import type { ZoneEvents } from '../lifecycle/zones.js';
import type { Diagnostic } from '../zone/errors.js';
import { zoneNameOf } from '../zone/load.js';

export interface ZoneFileState {
  /** The zone's name as the metrics label it: lowercase, absolute. */
  zone: string;
  file: string;
  /** When a version of the file was last loaded and served (ms since the epoch). */
  loadedAt?: number;
  /** The first error of the last load, when that load failed. */
  error?: { at: number; diagnostic: Diagnostic; count: number };
}

/** A rejected file's zone, before any version of it was loaded: from its name. */
function zoneOfFile(file: string): string {
  const name = (zoneNameOf(file) ?? basename(file)).toLowerCase();
  return name.endsWith('.') ? name : `${name}.`;
}

export class ZoneHistory {
  private readonly files = new Map<string, ZoneFileState>();
  /** Zone → loads that succeeded and failed, the first load included. */
  readonly loads = new Map<string, { success: number; failure: number }>();

  constructor(events: EventEmitter<ZoneEvents>) {
    events.on('loaded', (zone, file) => {
      const state: ZoneFileState = { zone: zone.origin.key, file, loadedAt: Date.now() };
      this.files.set(file, state);
      this.tally(state.zone).success++;
    });
    events.on('rejected', (file, diagnostics, origin) => {
      const state = this.files.get(file) ?? { zone: origin ?? zoneOfFile(file), file };
      const errors = diagnostics.filter((d) => d.severity === 'error');
      const diagnostic = errors[0] ?? diagnostics[0] ?? { pos: { file, line: 1, col: 1 }, severity: 'error', message: 'zone rejected' };
      state.error = { at: Date.now(), diagnostic, count: errors.length };
      this.files.set(file, state);
      this.tally(state.zone).failure++;
    });
    events.on('removed', (_origin, file) => { this.files.delete(file); });
  }

  private tally(zone: string): { success: number; failure: number } {
    let t = this.loads.get(zone);
    if (!t) this.loads.set(zone, (t = { success: 0, failure: 0 }));
    return t;
  }

  states(): ZoneFileState[] {
    return [...this.files.values()].sort((a, b) => a.zone.localeCompare(b.zone));
  }

  /** Zone files that have never been served: a reason not to be ready. */
  unserved(catalog: Catalog): ZoneFileState[] {
    return this.states().filter((s) => !catalog.get(s.zone));
  }
}
