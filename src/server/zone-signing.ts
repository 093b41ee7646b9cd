// The composition root's side of zone signing: which zones are signed and with
// what (the `dnssec:` blocks of rotor.yaml, read afresh at every reload), their
// keys from the key directory (made there on first use, under its lock), and a
// reload of a signed zone when its keys in force change (a rollover's steps),
// besides the lifecycle's own timer for signatures due for refreshing.
import { nextKeyEvent, zoneKeys } from '../dnssec/key-store.js';
import { dnssecPolicy, type DnssecSettings } from '../dnssec/settings.js';
import type { ZoneSigning } from '../lifecycle/signing.js';
import type { Logger } from '../log.js';
import { Name } from '../wire/name.js';

/** setTimeout's longest delay: a key event further off is waited for in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class ZoneSigners {
  /** By zone file: the timer that reloads it at its next key event. */
  private readonly timers = new Map<string, NodeJS.Timeout>();

  /**
   * `settings` gives the running configuration's blocks; `reload` loads a zone
   * file again (ZoneFiles.reload), which signs it when its keys changed.
   */
  constructor(private readonly settings: () => DnssecSettings | undefined, private readonly logger: Logger, private readonly reload: (file: string) => Promise<void>) {}

  /** ZoneFilesOptions.dnssec: how `origin` (a key) is signed, if it is. */
  signing(origin: string): ZoneSigning | undefined {
    const settings = this.settings();
    if (!settings) return undefined;
    const name = Name.parse(origin);
    const policy = dnssecPolicy(settings, name);
    if (!policy) return undefined;
    // The warnings name key files, never what they hold.
    const warn = (message: string) => this.logger.warn({ zone: name.toString(), keyDirectory: policy.keyDirectory }, message);
    return { policy, keys: (now) => zoneKeys(name, policy, new Date(now * 1000), warn) };
  }

  /** After a load of `origin` from `file`: the reload at its next key event, if it is signed and has one. */
  async scheduleKeyEvent(origin: string, file: string): Promise<void> {
    this.cancel(file);
    const signing = this.signing(origin);
    if (!signing) return;
    let at: Date | undefined;
    try {
      at = await nextKeyEvent(Name.parse(origin), signing.policy, new Date());
    } catch (e) {
      // The load that follows reports the key directory's trouble; until then the refresh timer stands.
      this.logger.warn({ zone: origin, err: e }, 'cannot read the zone\'s key times: no re-signing at its next key event');
      return;
    }
    // Two loads close together: the later one's timer stands alone.
    this.cancel(file);
    if (at) this.arm(origin, file, at);
  }

  private arm(origin: string, file: string, at: Date): void {
    const wait = at.getTime() - Date.now();
    const timer = setTimeout(() => {
      this.timers.delete(file);
      if (wait > MAX_TIMER_MS) return this.arm(origin, file, at);
      // A load that signs schedules the next event itself; one that finds the same keys does not.
      void this.reload(file).then(() => { if (!this.timers.has(file)) return this.scheduleKeyEvent(origin, file); });
    }, Math.max(0, Math.min(wait, MAX_TIMER_MS))).unref();
    this.timers.set(file, timer);
  }

  /** A zone no longer served from `file`. */
  cancel(file: string): void {
    clearTimeout(this.timers.get(file));
    this.timers.delete(file);
  }

  close(): void {
    for (const file of [...this.timers.keys()]) this.cancel(file);
  }
}
