// A key's life as BIND's timing metadata tells it (the Created, Publish,
// Activate, Inactive, Delete, SyncPublish and SyncDelete lines of its files):
// the state it is in at a moment, and the next moment that state changes. The
// state of a rollover lives only here, in the files, so a restart loses none of it.

/** The moments of a key's life; an unset one does not happen (BIND's rule). */
export interface KeyTimes {
  created?: Date;
  /** Its DNSKEY enters the zone's DNSKEY RRset. */
  publish?: Date;
  /** It starts to sign. */
  activate?: Date;
  /** It stops signing (its DNSKEY stays, for the signatures still cached). */
  inactive?: Date;
  /** Its DNSKEY leaves the zone. */
  delete?: Date;
  /** Its CDS and CDNSKEY appear at the apex (RFC 7344), and when they go. */
  syncPublish?: Date;
  syncDelete?: Date;
}

export const KEY_TIME_FIELDS = ['created', 'publish', 'activate', 'inactive', 'delete', 'syncPublish', 'syncDelete'] as const;

/** created: not yet in the zone; published: in the DNSKEY RRset, not signing; active: signing; retired: in the RRset, signing no more; removed: gone. */
export type KeyState = 'created' | 'published' | 'active' | 'retired' | 'removed';

/** `when` to the second below: the key files hold whole seconds, and a plan must say what they will. */
export function wholeSecond(when: Date): Date {
  return new Date(Math.floor(when.getTime() / 1000) * 1000);
}

const reached = (t: Date | undefined, now: Date): boolean => t !== undefined && t.getTime() <= now.getTime();

export function keyState(t: KeyTimes, now: Date): KeyState {
  if (reached(t.delete, now)) return 'removed';
  if (reached(t.inactive, now)) return reached(t.publish, now) || reached(t.activate, now) ? 'retired' : 'removed';
  if (reached(t.activate, now)) return 'active';
  if (reached(t.publish, now)) return 'published';
  return 'created';
}

/** Whether its DNSKEY is in the zone at `now`: published, active or retired. */
export function inZone(t: KeyTimes, now: Date): boolean {
  const s = keyState(t, now);
  return s === 'published' || s === 'active' || s === 'retired';
}

/** Whether its CDS and CDNSKEY are due at `now`, as far as its Sync times say (unset: no limit). */
export function syncDue(t: KeyTimes, now: Date): boolean {
  return (t.syncPublish === undefined || reached(t.syncPublish, now)) && !reached(t.syncDelete, now);
}

/** The first of the key's moments after `now`, if any. */
export function nextTime(t: KeyTimes, now: Date): Date | undefined {
  let next: Date | undefined;
  for (const field of KEY_TIME_FIELDS) {
    const at = t[field];
    if (field !== 'created' && at && at.getTime() > now.getTime() && (!next || at.getTime() < next.getTime())) next = at;
  }
  return next;
}
