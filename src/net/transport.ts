// Which UDP transport carries the queries: the native addon (native-udp.ts)
// where it was built, node:dgram otherwise or when asked for.
import type { EventLog } from '../log.js';
import type { ListenAddress } from './address.js';
import { bindNativeUdp, nativeUdp } from './native-udp.js';
import { bindUdp, type UdpBindOptions, type UdpCounts, type UdpHandler, type UdpListener } from './udp.js';

/** What rotor.yaml's transport: and --transport accept; auto is native when the addon loads. */
export type TransportSetting = 'auto' | 'native' | 'dgram';
export type UdpTransport = 'native' | 'dgram';

export const TRANSPORT_SETTINGS: readonly TransportSetting[] = ['auto', 'native', 'dgram'];

/**
 * The transport `setting` comes to on this machine: dgram when asked for, or
 * when the addon cannot be loaded, with the reason (`fallback`).
 */
export function chooseTransport(setting: TransportSetting): { transport: UdpTransport; fallback?: string } {
  if (setting === 'dgram') return { transport: 'dgram' };
  const native = nativeUdp();
  return 'addon' in native ? { transport: 'native' } : { transport: 'dgram', fallback: native.error };
}

export function bindTransport(transport: UdpTransport, addr: ListenAddress, handler: UdpHandler, events: EventLog, counts: UdpCounts, options: UdpBindOptions): Promise<UdpListener> {
  const native = transport === 'native' ? nativeUdp() : undefined;
  if (native && 'addon' in native) {
    try {
      return Promise.resolve(bindNativeUdp(native.addon, addr, handler, events, counts, options));
    } catch (e) {
      return Promise.reject(e as Error);
    }
  }
  return bindUdp(addr, handler, events, counts, options);
}
