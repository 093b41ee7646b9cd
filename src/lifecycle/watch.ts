// Watches the zone directory. Editors save in many ways — write in place,
// truncate then write, write a temporary file and rename it over the old one,
// vim's rename-to-backup dance — so the directory is watched (not the files,
// whose inodes come and go) and each zone file's events are debounced into one
// reload once the file has been quiet for a moment.
import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { zoneNameOf } from '../zone/load.js';

export interface DirectoryWatch {
  close(): void;
}

export function watchZoneDirectory(dir: string, quietMs: number, onFile: (file: string) => void, onError: (e: Error) => void): DirectoryWatch {
  const timers = new Map<string, NodeJS.Timeout>();
  const changed = (name: string) => {
    if (zoneNameOf(name) === undefined) return; // swap files, backups, editor litter
    const file = join(dir, name);
    clearTimeout(timers.get(file));
    timers.set(file, setTimeout(() => {
      timers.delete(file);
      onFile(file);
    }, quietMs));
  };
  const watcher: FSWatcher = watch(dir, { persistent: false }, (_event, name) => {
    if (name) changed(name.toString());
  });
  watcher.on('error', onError);
  return {
    close() {
      watcher.close();
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    },
  };
}
