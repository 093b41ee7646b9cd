import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, DEFAULTS, loadConfig, parseListenList, type Config } from '../config.js';
import { createLogger } from '../log.js';
import { DnsServer } from '../server/server.js';

export const usage = `rotor serve [--config FILE] [--zones DIR] [--listen ADDR:PORT]...

Serves every DIR/<zone>.yaml over UDP and TCP.
  --config FILE        settings (default: ./rotor.yaml when present)
  --zones DIR          zone directory (default: ./zones)
  --listen ADDR:PORT   address to answer on, repeatable; IPv6 as [::1]:5300
                       (default: 127.0.0.1:5300; port 0 picks a free port)
  --log-level LEVEL    trace, debug, info, warn, error`;

export async function serve(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      zones: { type: 'string' },
      listen: { type: 'string', multiple: true },
      'log-level': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  let config: Config;
  const configFile = values.config ?? (existsSync('rotor.yaml') ? 'rotor.yaml' : undefined);
  config = configFile ? await loadConfig(configFile) : { ...DEFAULTS, zonesDir: resolve(DEFAULTS.zonesDir) };
  if (values.zones) config.zonesDir = resolve(values.zones);
  if (values.listen) config.listen = parseListenList('--listen', values.listen);
  if (values['log-level']) config = { ...config, logLevel: values['log-level'] };
  if (!existsSync(config.zonesDir)) throw new ConfigError(`zone directory ${config.zonesDir} does not exist`);

  const logger = createLogger(config.logLevel);
  const server = new DnsServer({ ...config, logger });
  logger.info({ zones: config.zonesDir }, 'rotor starting');
  await server.loadZones();
  server.watchZones();
  await server.listen();
  process.on('SIGHUP', () => {
    logger.info('SIGHUP: reloading every zone');
    void server.loadZones();
  });

  await new Promise<void>((done) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      void server.close().then(done);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  return 0;
}
