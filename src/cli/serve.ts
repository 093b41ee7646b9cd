import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, DEFAULTS, loadConfig, parseListenList, parseLogFormat, parseLogLevel, parseMetricsAddress, parseQueryLog, parseWorkers, type Config } from '../config.js';
import { createLogger } from '../log.js';
import { observeForPrimary, startClusterMonitor } from '../observe/cluster.js';
import { startMonitor } from '../observe/monitor.js';
import { queryLogger } from '../observe/querylog.js';
import { reportReady, sendsNotify, superviseWorkers } from '../server/cluster.js';
import { DnsServer } from '../server/server.js';

export const usage = `rotor serve [--config FILE] [--zones DIR] [--listen ADDR:PORT]...

Serves every DIR/<zone>.yaml and DIR/<zone>.zone over UDP and TCP.
  --config FILE        settings (default: ./rotor.yaml when present)
  --zones DIR          zone directory (default: ./zones)
  --listen ADDR:PORT   address to answer on, repeatable; IPv6 as [::1]:5300
                       (default: 127.0.0.1:5300; port 0 picks a free port)
  --log-level LEVEL    trace, debug, info, warn, error
  --log-format FORMAT  json (default) or pretty, for people at a terminal
  --query-log VALUE    on, off (default) or a sample rate from 0 to 1
  --metrics ADDR:PORT  serve /metrics, /healthz, /readyz and the status page
                       (off by default; CoreDNS uses 127.0.0.1:9153)
  --workers N|auto     server processes sharing the sockets, each with its own
                       rotation counters (default 1; auto: one per CPU)`;

export async function serve(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      zones: { type: 'string' },
      listen: { type: 'string', multiple: true },
      'log-level': { type: 'string' },
      'log-format': { type: 'string' },
      'query-log': { type: 'string' },
      metrics: { type: 'string' },
      workers: { type: 'string' },
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
  if (values['log-level']) config = { ...config, logLevel: parseLogLevel('--log-level', values['log-level']) };
  if (values['log-format']) config.logFormat = parseLogFormat('--log-format', values['log-format']);
  if (values['query-log']) config.queryLog = parseQueryLog('--query-log', values['query-log']);
  if (values.metrics) config.metrics = parseMetricsAddress('--metrics', values.metrics);
  if (values.workers) config.workers = parseWorkers('--workers', values.workers);
  if (!existsSync(config.zonesDir)) throw new ConfigError(`zone directory ${config.zonesDir} does not exist`);

  const base = createLogger(config.logLevel, config.logFormat);
  if (config.workers > 1 && cluster.isPrimary) {
    base.info({ zones: config.zonesDir, workers: config.workers }, 'rotor starting');
    const monitor = config.metrics ? await startClusterMonitor(config.metrics, config.workers, base, config.monitor) : undefined;
    const code = await superviseWorkers(config.workers, base);
    await monitor?.close();
    return code;
  }
  // A worker's lines say which worker wrote them.
  const logger = cluster.isWorker ? base.child({ worker: cluster.worker!.id }) : base;
  const server = new DnsServer({ ...config, logger, sendNotify: sendsNotify() });
  logger.info({ zones: config.zonesDir }, 'rotor starting');
  if (config.queryLog > 0) server.observers.push(queryLogger(logger, config.queryLog));
  // With workers, the primary serves what they count.
  const monitor = !config.metrics ? undefined : cluster.isWorker ? observeForPrimary(server) : await startMonitor(server, config.metrics, logger, config.monitor);
  await server.loadZones();
  server.watchZones();
  await server.listen();
  reportReady();
  process.on('SIGHUP', () => {
    logger.info('SIGHUP: reloading every zone');
    void server.reloadZones();
  });

  await new Promise<void>((done) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      void Promise.all([server.close(), monitor?.close()]).then(() => logger.info('stopped'), (e: unknown) => {
        logger.error({ err: e }, 'stopped, with an error on the way');
      }).then(() => {
        // The answers owed are out; nothing left over (a timer, a socket) may hold the exit.
        setTimeout(() => process.exit(0), 1000).unref();
        done();
      });
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  return 0;
}
