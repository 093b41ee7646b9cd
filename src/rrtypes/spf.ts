// SPF (RFC 7208 §3.1: the same data as TXT, under its own type code).
import { textStrings } from './text-strings.js';

export const SPF = textStrings(99, 'SPF');
