// Starts the real rotor CLI on 127.0.0.1 with port 0 and drives it with real
// dig and kdig, parsing what they print into sections that tests compare.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(REPO, 'src', 'cli.ts');
/** The zones behind the answer tables (test/query/answers/) and many end-to-end tests. */
export const FIXTURE = join(REPO, 'test', 'fixtures', 'answers');
/** How long a spawned rotor may take to listen. */
export const STARTUP_MS = 90_000;

export interface LogLine {
  level: number;
  msg: string;
  [k: string]: unknown;
}

export interface Rotor {
  host: string;
  port: number;
  dir: string;
  process: ChildProcess;
  logs: LogLine[];
  /** Resolves with the first log line (seen so far or later) that matches. */
  waitForLog(match: (l: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  stop(): Promise<number | null>;
}

/** Writes `files` into a fresh temporary directory and returns its path. */
export async function tempDir(files: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rotor-test-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

/**
 * The UDP transport every rotor a test starts runs on: ROTOR_TEST_TRANSPORT
 * (native or dgram), so that the suite can run against each; rotor's own
 * choice (auto) when unset. A test that passes --transport itself wins.
 */
export const TEST_TRANSPORT = process.env.ROTOR_TEST_TRANSPORT;

/**
 * Options for node itself in the tests that measure the server's resident set.
 * V8's young generation is a fixed allowance that each Node line sizes its own
 * way (Node 20: semi-spaces of 16 MB; Node 22 and 24 let them grow larger;
 * rotor's own launcher asks for 64 MB, see docs/decisions.md). Those tests
 * measure what a client's input makes the server keep, so they fix the
 * allowance at Node 20's size on every line: otherwise they would measure
 * which Node runs them.
 */
export const MEASURED_NODE_ARGS = ['--max-semi-space-size=16'];

/**
 * Starts `rotor serve` on the given zone files (name → text) or zone directory.
 * Extra arguments go after the defaults, so a test can add --config and friends;
 * `nodeArgs` go to node itself.
 */
export async function startRotor(zones: Record<string, string> | string, extraArgs: string[] = [], nodeArgs: string[] = []): Promise<Rotor> {
  const dir = typeof zones === 'string' ? zones : await tempDir(zones);
  const transport = TEST_TRANSPORT && !extraArgs.includes('--transport') ? ['--transport', TEST_TRANSPORT] : [];
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', CLI, 'serve', '--zones', dir, '--listen', '127.0.0.1:0', ...transport, ...extraArgs], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  const waiters = new Set<{ match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }>();
  let buffered = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  child.stdout!.on('data', (d: Buffer) => {
    buffered += d.toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      let parsed: LogLine;
      try {
        parsed = JSON.parse(line) as LogLine;
      } catch {
        continue;
      }
      logs.push(parsed);
      for (const w of waiters) if (w.match(parsed)) { waiters.delete(w); w.resolve(parsed); }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  // Generous: only a line that never comes should reach it, not a slow machine.
  const waitForLog = (match: (l: LogLine) => boolean, timeoutMs = 30_000): Promise<LogLine> => {
    const seen = logs.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const w = { match, resolve: (l: LogLine) => { clearTimeout(timer); resolve(l); } };
      const timer = setTimeout(() => {
        waiters.delete(w);
        reject(new Error(`no matching log line within ${timeoutMs} ms; stderr: ${stderr}\nlogs: ${logs.map((l) => l.msg).join(' | ')}`));
      }, timeoutMs);
      waiters.add(w);
    });
  };

  // Starting node and tsx took over 20 s with the load average at 17 on this
  // 2-core machine: the bound only stops a test that would never start.
  const listening = await Promise.race([
    waitForLog((l) => l.msg === 'listening on UDP and TCP', STARTUP_MS),
    exited.then((code) => { throw new Error(`rotor exited with ${code} before listening: ${stderr}`); }),
  ]);
  return {
    host: String(listening.address),
    port: Number(listening.port),
    dir,
    process: child,
    logs,
    waitForLog,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const code = await exited;
      if (typeof zones !== 'string') await rm(dir, { recursive: true, force: true });
      return code;
    },
  };
}

/** Waits until `count` log lines match (waitForLog gives the first one only). */
export async function manyLogs(rotor: Rotor, count: number, match: (l: LogLine) => boolean, timeoutMs = 20_000): Promise<LogLine[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = rotor.logs.filter(match);
    if (found.length >= count) return found;
    if (Date.now() > deadline) throw new Error(`${found.length} of ${count} log lines within ${timeoutMs} ms: ${rotor.logs.map((l) => l.msg).join(' | ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The resident set of process `pid` (a spawned rotor), in MB. */
export async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `rotor ARGS...` to its end from the repository root; a non-zero exit is a result, not an exception. */
export async function runCli(args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO, maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as CliResult;
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

export interface Record_ {
  name: string;
  ttl: number;
  class: string;
  type: string;
  data: string;
}

export interface DigResult {
  status: string;
  flags: string[];
  question: string[];
  answer: Record_[];
  authority: Record_[];
  additional: Record_[];
  /** EDNS line as printed, if the response had an OPT record. */
  edns?: string;
  raw: string;
}

function parseRecord(line: string): Record_ {
  const parts = line.trim().split(/\s+/);
  const [name, ttl, cls, type, ...data] = parts;
  return { name: name!.toLowerCase(), ttl: Number(ttl), class: cls!, type: type!, data: data.join(' ') };
}

/** Parses the output of dig or kdig (their layouts differ only in punctuation). */
export function parseDigOutput(raw: string): DigResult {
  const status = /status: (\w+)/.exec(raw)?.[1] ?? 'NONE';
  const flagsText = /;; [Ff]lags: ([^;]*);/.exec(raw)?.[1] ?? '';
  const result: DigResult = {
    status,
    flags: flagsText.trim().split(/\s+/).filter(Boolean),
    question: [], answer: [], authority: [], additional: [],
    raw,
  };
  const edns = /; EDNS: ([^\n]*)/.exec(raw) ?? /;; Version: ([^\n]*)/.exec(raw);
  if (edns) result.edns = edns[1];
  let section: 'question' | 'answer' | 'authority' | 'additional' | undefined;
  const xfr = !raw.includes('->>HEADER<<-') && !raw.includes(';; ->>HEADER');
  for (const line of raw.split('\n')) {
    const header = /^;; (QUESTION|ANSWER|AUTHORITY|ADDITIONAL) SECTION:/.exec(line);
    if (header) {
      section = header[1]!.toLowerCase() as typeof section;
      continue;
    }
    if (line.trim() === '' || line.startsWith(';; ') && section !== 'question') {
      if (line.trim() === '') section = undefined;
      continue;
    }
    // Transfers print their records with no section header.
    if (!section && xfr && line.trim() && !line.startsWith(';')) {
      const rr = parseRecord(line);
      if (rr.type !== 'TSIG') result.answer.push(rr);
      continue;
    }
    if (!section) continue;
    if (section === 'question') result.question.push(line.replace(/^;+\s*/, '').trim().split(/\s+/).join(' '));
    else if (!line.startsWith(';')) result[section].push(parseRecord(line));
  }
  return result;
}

export interface QueryOptions {
  tcp?: boolean;
  /** Extra dig/kdig options, such as +noedns or +bufsize=512. */
  options?: string[];
  tool?: 'dig' | 'kdig';
}

/** Runs a real dig (or kdig) against the server; RD off as an authoritative client would send. */
export async function query(server: { host: string; port: number }, name: string, type: string, opts: QueryOptions = {}): Promise<DigResult> {
  const tool = opts.tool ?? 'dig';
  const args = [`@${server.host}`, '-p', String(server.port), name, type, '+norec', '+time=2'];
  args.push(...(tool === 'dig' ? ['+tries=1', '+nocookie'] : ['+retry=0']));
  // dig switches ANY (and transfers) to TCP by itself; a test that asks for UDP gets UDP.
  args.push(opts.tcp ? '+tcp' : '+notcp');
  if (opts.options) args.push(...opts.options);
  const { stdout } = await run(tool, args, { timeout: 10_000 });
  return parseDigOutput(stdout);
}

/** Record data of one section as sorted "name type data" strings: order-insensitive comparison. */
export function asSet(records: Record_[]): string[] {
  return records.map((r) => `${r.name} ${r.type} ${r.data}`).sort();
}
