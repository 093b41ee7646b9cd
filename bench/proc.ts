// What a server process (and its children: NSD's server, rotor's workers)
// uses, read from /proc. CPU time per query is the figure that holds up on a
// shared machine, where the rate depends on what else runs.
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';

const TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

async function children(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return text.split(/\s+/).filter(Boolean).map(Number);
}

/** User and system CPU seconds of `pid` and every process below it, so far. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // The fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const own = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND || 0;
  const below = await Promise.all((await children(pid)).map(cpuSeconds));
  return own + below.reduce((a, b) => a + b, 0);
}

/**
 * Pins every thread of `pid` and of the processes below it to `cpu`. Starting
 * a server under taskset is not enough: Knot DNS sets its UDP worker's
 * affinity itself (to CPU 0, where dnsperf runs).
 */
export async function pinTree(pid: number, cpu: number): Promise<void> {
  spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
  for (const child of await children(pid)) await pinTree(child, cpu);
}

/** Resident memory of `pid` alone, in MiB. */
export async function rssMiB(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
  return kb ? Number(kb) / 1024 : undefined;
}
