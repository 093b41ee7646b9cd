// Record data for tests, from its master-file text: rd('MX', '10 mx.example.') is
// the uncompressed wire form the zone loaders would make of it.
import { Name } from '../../src/wire/name.js';
import { parseMasterFile } from '../../src/zone/masterfile.js';

export function rd(type: string, text: string, origin = Name.root): Buffer {
  const parsed = parseMasterFile(`@ 60 IN ${type} ${text}\n`, 'test', origin, 60);
  if (parsed.diagnostics.length > 0) throw new Error(parsed.diagnostics.map((d) => d.message).join('; '));
  return parsed.records[0]!.rdata;
}
