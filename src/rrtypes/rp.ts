// RP (RFC 1183 §2.2): the responsible person's mailbox and a name holding TXT about them.
import { plainType } from './plain.js';

export const RP = plainType(17, 'RP', [{ kind: 'name', label: 'mailbox' }, { kind: 'name', label: 'TXT name' }], true);
