// The monitoring listener's settings, apart from the listener so that the
// configuration reader can hold them without importing the listener.
export interface MonitorSettings {
  /** Host names (lowercase, no trailing dot) the listener answers to besides IP literals and localhost. */
  hosts: string[];
  /** /api/events clients at once; more are answered 503. */
  maxLiveClients: number;
  /** Octets of updates a live client may leave unread before it is dropped. */
  liveClientBuffer: number;
}

export const MONITOR_DEFAULTS: MonitorSettings = { hosts: [], maxLiveClients: 64, liveClientBuffer: 256 * 1024 };
