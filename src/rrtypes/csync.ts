// CSYNC (RFC 7477 §2.1): SOA serial, flags and the types to synchronise.
import { plainType } from './plain.js';

export const CSYNC = plainType(62, 'CSYNC', [{ kind: 'u32', label: 'SOA serial' }, { kind: 'u16', label: 'flags' }, { kind: 'types', label: 'type bitmap' }], false);
