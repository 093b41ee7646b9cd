// Key times for tests: a key made, published and active from one moment, as dnssec-keygen makes it.
import type { KeyTimes } from '../../src/dnssec/key-timing.js';

export function since(when: Date): KeyTimes {
  return { created: when, publish: when, activate: when };
}
