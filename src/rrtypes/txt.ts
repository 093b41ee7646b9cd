// TXT (RFC 1035 §3.3.14).
import { textStrings } from './text-strings.js';

export const TXT = textStrings(16, 'TXT');
