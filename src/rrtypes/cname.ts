// CNAME (RFC 1035 §3.3.1): the canonical name, which the answer follows.
import { singleName } from './single-name.js';

export const CNAME = singleName(5, 'CNAME', false);
