// NS (RFC 1035 §3.3.11): the name server's address records go in the additional section.
import { singleName } from './single-name.js';

export const NS = singleName(2, 'NS', true);
