import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * JSON lines for machines; 'pretty' formats in-process (not in a transport
 * worker) so that lines appear in order with nothing left unflushed at exit.
 */
export function createLogger(level = 'info', format: LogFormat = 'json'): Logger {
  const options = { level, base: undefined };
  if (format === 'json') return pino(options);
  return pino(options, pretty({ colorize: process.stdout.isTTY === true, translateTime: 'SYS:HH:MM:ss.l', singleLine: true, sync: true }));
}
