// URI (RFC 7553): priority, weight and the target URI as one quoted string.
import { plainType } from './plain.js';

export const URI = plainType(256, 'URI', [{ kind: 'u16', label: 'priority' }, { kind: 'u16', label: 'weight' }, { kind: 'octets', label: 'target' }], false);
