// Loads one zone file the way the server does and reports how long it took:
//   /usr/bin/time -v node --import tsx scripts/load-zone.ts FILE
import { loadZoneFile } from '../src/zone/load.js';

const file = process.argv[2];
if (!file) {
  console.error('usage: load-zone.ts FILE');
  process.exit(2);
}
const start = performance.now();
const { zone } = await loadZoneFile(file, { defaultTtl: 3600 });
const ms = performance.now() - start;
console.log(`${zone.recordCount} records, ${zone.version.nodeCount} names, loaded in ${(ms / 1000).toFixed(2)} s, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
