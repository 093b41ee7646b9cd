// Parsing shared by the commands' options.
import { ConfigError } from '../config.js';
import { AddressError, parseHostPort, type ListenAddress } from '../net/address.js';

/** ADDR:PORT given to --option; a bad one is the user's to fix, named by its option. */
export function hostPortOption(option: string, text: string): ListenAddress {
  try {
    return parseHostPort(text);
  } catch (e) {
    if (e instanceof AddressError) throw new ConfigError(`--${option}: ${e.message}`);
    throw e;
  }
}
