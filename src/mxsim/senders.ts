// How a sending MTA turns an MX answer into the list of gateways it will try.
import { shuffle } from '../authority/rotation.js';
import { randomInt, type Random } from './prng.js';

export interface MxRecord {
  preference: number;
  /** Lower case, with the trailing dot. */
  exchange: string;
}

/**
 * rfc5321: RFC 5321 §5.1, lowest preference first and a random order among
 * equal preferences. first-record: the answer's order, preference ignored.
 * sticky: chooses like rfc5321 once, then keeps that connection for all its mail.
 */
export type SenderModel = 'rfc5321' | 'first-record' | 'sticky';

export const SENDER_MODELS: readonly SenderModel[] = ['rfc5321', 'first-record', 'sticky'];

/** IPv4 (A records) or IPv6 (AAAA records). */
export type Family = 4 | 6;

/** The address families a sender's host can connect over. */
export type SenderFamily = 'ipv4' | 'ipv6' | 'dual';

export const SENDER_FAMILIES: readonly SenderFamily[] = ['ipv4', 'ipv6', 'dual'];

/**
 * Which family a dual-stack sender tries first: ipv6, as Exim does and as
 * Postfix's smtp_address_preference = ipv6 does; any, a coin toss per
 * delivery, as Postfix's default smtp_address_preference = any does.
 */
export type DualPreference = 'ipv6' | 'any';

/** The families each kind of sender uses; a dual-stack sender's in its default order. */
export const FAMILIES_OF: Readonly<Record<SenderFamily, readonly Family[]>> = { ipv4: [4], ipv6: [6], dual: [6, 4] };

/** The families a sender looks up and tries, in the order it tries them. */
export function familyOrder(family: SenderFamily, preference: DualPreference, random: Random): readonly Family[] {
  if (family !== 'dual' || preference === 'ipv6') return FAMILIES_OF[family];
  return randomInt(random, 2) === 0 ? [6, 4] : [4, 6];
}

export interface MixEntry {
  model: SenderModel;
  weight: number;
}

/** The exchanges in the order a sender of this model tries them. */
export function exchangeOrder(model: SenderModel, mx: readonly MxRecord[], random: Random): string[] {
  if (model === 'first-record') return mx.map((r) => r.exchange);
  const byPreference = new Map<number, string[]>();
  for (const r of mx) {
    const group = byPreference.get(r.preference);
    if (group) group.push(r.exchange);
    else byPreference.set(r.preference, [r.exchange]);
  }
  // Sorting first changes nothing in distribution (a uniform shuffle of any
  // order is uniform) but lets a seed fix the choice whatever order the server sent.
  return [...byPreference.keys()].sort((a, b) => a - b).flatMap((p) => shuffle(byPreference.get(p)!.sort(), random));
}

/**
 * The model of each of `senders` senders, in proportion to the weights
 * (largest remainder, so 70/30 of 1,000 is exactly 700 and 300), in blocks:
 * sender i uses resolver i mod K, so every resolver still serves the whole mix.
 */
export function assignModels(mix: readonly MixEntry[], senders: number): SenderModel[] {
  const total = mix.reduce((sum, m) => sum + m.weight, 0);
  const exact = mix.map((m) => (m.weight / total) * senders);
  const counts = exact.map(Math.floor);
  const byRemainder = exact.map((x, i) => ({ i, rest: x - Math.floor(x) })).sort((a, b) => b.rest - a.rest || a.i - b.i);
  const missing = senders - counts.reduce((a, b) => a + b, 0);
  for (let k = 0; k < missing; k++) counts[byRemainder[k]!.i]!++;
  return mix.flatMap((m, i) => Array<SenderModel>(counts[i]!).fill(m.model));
}
