// Reads a V8 CPU profile (node --cpu-prof) and lists where the time went, by
// function, self time only: the cost of each step of answering a query.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface HotSpot {
  /** Function name, file and line (1-based). */
  where: string;
  percent: number;
}

/** Percentages are of the busy time: samples where the process was idle are left out. */
export function hotSpots(profile: Profile, top: number): HotSpot[] {
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const f = frames.get(id)!;
    if (f.functionName === '(idle)') return;
    const file = f.url.replace(/^file:\/\//, '').split('/').slice(-2).join('/');
    const where = `${f.functionName || '(anonymous)'}${file ? ` ${file}:${f.lineNumber + 1}` : ''}`;
    const dt = profile.timeDeltas[i] ?? 0;
    self.set(where, (self.get(where) ?? 0) + dt);
    total += dt;
  });
  return [...self].sort((a, b) => b[1] - a[1]).slice(0, top).map(([where, t]) => ({ where, percent: (100 * t) / total }));
}

/** The hot spots of the largest profile in `dir` (with workers, each process writes one). */
export async function readProfile(dir: string, top: number): Promise<HotSpot[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error(`no .cpuprofile in ${dir}`);
  const sized = await Promise.all(files.map(async (f) => ({ f, size: (await stat(join(dir, f))).size })));
  const largest = sized.sort((a, b) => b.size - a.size)[0]!.f;
  return hotSpots(JSON.parse(await readFile(join(dir, largest), 'utf8')) as Profile, top);
}
