// HINFO (RFC 1035 §3.3.2): CPU and OS, two character-strings.
import { plainType } from './plain.js';

export const HINFO = plainType(13, 'HINFO', [{ kind: 'string', label: 'CPU' }, { kind: 'string', label: 'OS' }], false);
