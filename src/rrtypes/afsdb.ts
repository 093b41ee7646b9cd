// AFSDB (RFC 1183 §1): a subtype and the server's host name.
import { plainType } from './plain.js';

export const AFSDB = plainType(18, 'AFSDB', [{ kind: 'u16', label: 'subtype' }, { kind: 'name', label: 'hostname' }], true);
