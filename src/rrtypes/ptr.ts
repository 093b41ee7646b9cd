// PTR (RFC 1035 §3.3.12).
import { singleName } from './single-name.js';

export const PTR = singleName(12, 'PTR', false);
