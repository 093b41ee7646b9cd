// A zone moved from the loader thread to the thread that serves it. The
// loader builds a ZoneVersion (packed columns, no object per record) and sends
// it as transferred ArrayBuffers, with where each record was written and the
// order names were first written: one message, moved rather than copied, so
// the serving thread deserializes nothing per record, and serves the version
// as it arrives.
import { movable } from './columns.js';
import { versionDigest } from './digest.js';
import type { LoadedVersion } from './load.js';
import { RecordPositions, type PositionColumns } from './records.js';
import { ZoneVersion, type VersionHandOver } from './version.js';
import { Zone } from './zone.js';

/** What crosses the thread boundary. */
export interface ZoneHandOver {
  file: string;
  autoSerial: boolean;
  digest: string;
  version: VersionHandOver['message'];
  positions: PositionColumns;
  written: Uint32Array;
}

/** The message and transfer list that move a loaded version; it is unusable here afterwards. */
export function handOverZone(loaded: LoadedVersion, file: string): { message: ZoneHandOver; transfer: ArrayBuffer[] } {
  const { version, positions, written } = loaded;
  // Zone.digest of the zone the version becomes, computed here (or by the loader's helper) rather than on the serving thread.
  const digest = loaded.digest ?? versionDigest(version, written);
  const { message, transfer } = version.handOver();
  const { files, file: fileIndex, line, col } = positions;
  return {
    message: { file, autoSerial: loaded.autoSerial, digest, version: message, positions: { files, file: fileIndex, line, col }, written },
    transfer: [...transfer, ...movable([fileIndex, line, col, written])],
  };
}

/** The zone a hand-over carries, served as it arrived. */
export function receiveZone(m: ZoneHandOver): Zone {
  const positions = RecordPositions.received(m.positions);
  const zone = new Zone(ZoneVersion.receive(m.version), m.file, positions, m.written);
  zone.autoSerial = m.autoSerial;
  zone.knownDigest(m.digest);
  return zone;
}
