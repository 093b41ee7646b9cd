// NSEC (RFC 4034 §4): the next owner and a type bitmap. The next name is not
// lowercased in canonical form (RFC 6840 §5.1).
import { plainType } from './plain.js';

export const NSEC = plainType(47, 'NSEC', [{ kind: 'name', label: 'next domain name' }, { kind: 'types', label: 'type bitmap' }], false);
