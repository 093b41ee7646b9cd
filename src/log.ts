import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** The format when none is set: pretty for someone at a terminal, JSON lines for a journal, a file or a pipe. */
function defaultLogFormat(): LogFormat {
  return process.stdout.isTTY === true ? 'pretty' : 'json';
}

/**
 * JSON lines for machines; 'pretty' formats in-process (not in a transport
 * worker) so that lines appear in order with nothing left unflushed at exit.
 */
export function createLogger(level = 'info', format: LogFormat = defaultLogFormat()): Logger {
  const options = { level, base: undefined };
  if (format === 'json') return pino(options);
  return pino(options, pretty({ colorize: process.stdout.isTTY === true, translateTime: 'SYS:HH:MM:ss.l', singleLine: true, sync: true }));
}

type Level = 'info' | 'warn' | 'error';

/**
 * Log lines for events that anyone can cause (a refused transfer, a bad TSIG,
 * an unsigned NOTIFY, a failed send): at most one line a second per kind, the
 * next line carrying how many were suppressed since the last. A stranger's
 * flood then costs one line a second, not disk and CPU without limit. The
 * table of kinds is as small as the set of call sites: kinds are fixed
 * strings, never data from a packet.
 */
export class EventLog {
  private readonly kinds = new Map<string, { last: number; suppressed: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = 1000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Logs `msg` under `kind` unless a line of that kind went out less than a second ago. */
  log(level: Level, kind: string, fields: Record<string, unknown>, msg: string): void {
    const now = this.now();
    let state = this.kinds.get(kind);
    if (!state) this.kinds.set(kind, (state = { last: -Infinity, suppressed: 0 }));
    if (now - state.last < this.intervalMs) {
      state.suppressed++;
      return;
    }
    const suppressed = state.suppressed;
    state.last = now;
    state.suppressed = 0;
    this.logger[level](suppressed > 0 ? { ...fields, suppressed } : fields, msg);
  }

  /** How many lines of `kind` are waiting to be counted in its next line. */
  suppressed(kind: string): number {
    return this.kinds.get(kind)?.suppressed ?? 0;
  }
}
