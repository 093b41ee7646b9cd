// Forwarding-loop detection. Every name rotor sends upstream carries a mark
// in the case of its letters, drawn from a secret of this process; BIND,
// Unbound and packet-relaying forwarders such as dnsmasq keep the case of the
// names they are asked when they ask further, so a question that comes back to
// us with our own mark while we still wait for its answer has gone round a loop.
import { createHmac, randomBytes } from 'node:crypto';
import { Name } from '../wire/name.js';

const isLetter = (b: number) => (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);

export class LoopMark {
  private readonly secret = randomBytes(16);

  /** The name with its letters' case set by the mark: never all lower case nor all upper case. */
  mark(name: Name): Name {
    const bits = createHmac('sha256', this.secret).update(name.key).digest();
    let letters = 0;
    let uppers = 0;
    const labels = name.labels.map((label) => Buffer.from(label.map((b) => {
      if (!isLetter(b)) return b;
      const i = letters++;
      if (((bits[(i >> 3) % bits.length]! >> (i & 7)) & 1) === 0) return b | 0x20;
      uppers++;
      return b & ~0x20;
    })));
    // Clients most often write names all in one case: the mark must never look like that.
    if (letters > 1 && (uppers === 0 || uppers === letters)) flipFirstLetter(labels);
    return Name.fromLabels(labels);
  }

  /** Whether `name` is written exactly as we mark it. */
  isMarked(name: Name): boolean {
    const marked = this.mark(name);
    return marked.labels.every((l, i) => l.equals(name.labels[i]!));
  }
}

function flipFirstLetter(labels: Buffer[]): void {
  for (const label of labels) {
    const i = label.findIndex(isLetter);
    if (i >= 0) {
      label[i] ^= 0x20;
      return;
    }
  }
}
