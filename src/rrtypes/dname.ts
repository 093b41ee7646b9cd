// DNAME (RFC 6672 §2.1): the new name for a whole subtree, which the answer
// rewrites query names with. Its target is sent uncompressed (RFC 6672 §2.5) but
// read compressed or not, like any name of the types of RFC 3597 §4.
import { singleName } from './single-name.js';

export const DNAME = { ...singleName(39, 'DNAME', false), compress: false };
