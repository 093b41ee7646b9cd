// The canonical form of a name that DNSSEC hashes and signs (RFC 4034 §6.2).
import { Name } from '../wire/name.js';
import { MessageWriter } from '../wire/writer.js';

/** Uncompressed wire form, ASCII letters lowercased (the name's key is that text; as TSIG does). */
export function canonicalName(name: Name): Buffer {
  const w = new MessageWriter(255, false);
  w.name(Name.parse(name.key), false);
  return w.result();
}
