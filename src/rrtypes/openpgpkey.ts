// OPENPGPKEY (RFC 7929): a transferable public key, base64 in text.
import { plainType } from './plain.js';

export const OPENPGPKEY = plainType(61, 'OPENPGPKEY', [{ kind: 'base64', label: 'key' }], false);
