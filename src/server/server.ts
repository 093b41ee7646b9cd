// The server process: zones loaded from a directory into a Catalog, and the
// UDP and TCP listeners that feed every message through the pipeline.
import type dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import { Catalog } from '../authority/catalog.js';
import type { RotationPolicy } from '../authority/rotation.js';
import type { Logger } from '../log.js';
import { HEADER_LENGTH } from '../wire/header.js';
import { Rcode } from '../wire/types.js';
import { formatDiagnostic, type Diagnostic } from '../zone/errors.js';
import type { Zone } from '../zone/zone.js';
import { loadDirectory, type FileResult } from '../zone/directory.js';
import { formatHostPort, type ListenAddress } from './address.js';
import type { Reply, RequestContext } from './context.js';
import { handleMessage, type Outcome } from './pipeline.js';
import { bindTcp, type TcpListener } from './tcp.js';
import { bindUdp } from './udp.js';

export interface ServerOptions {
  listen: ListenAddress[];
  zonesDir: string;
  defaultTtl: number;
  tcpIdleTimeoutMs: number;
  rotation: RotationPolicy;
  logger: Logger;
}

export class DnsServer {
  readonly catalog = new Catalog();
  private readonly sockets: dgram.Socket[] = [];
  private readonly listeners: TcpListener[] = [];
  readonly bound: ListenAddress[] = [];

  constructor(private readonly opts: ServerOptions) {}

  /**
   * Zone lifecycle, for whoever reports on it: 'loaded' with the zone now served,
   * 'rejected' with the file and its diagnostics (the previous version, if any,
   * stays served).
   */
  readonly events = new EventEmitter<{ loaded: [zone: Zone, file: string]; rejected: [file: string, diagnostics: Diagnostic[]] }>();
  /** Called with every answered request, after the answer is built. */
  readonly observers: ((outcome: Outcome, ctx: RequestContext, startedNs: bigint) => void)[] = [];

  /** Handles one message, answering SERVFAIL rather than dying if a bug throws. */
  handle(msg: Buffer, ctx: RequestContext): Reply {
    const started = process.hrtime.bigint();
    try {
      const outcome = handleMessage(msg, ctx, { catalog: this.catalog, policy: () => this.opts.rotation });
      if (!outcome) return undefined;
      for (const observe of this.observers) observe(outcome, ctx, started);
      return outcome.response;
    } catch (e) {
      this.opts.logger.error({ err: e }, 'internal error while answering');
      if (msg.length < HEADER_LENGTH) return undefined;
      const out = Buffer.alloc(HEADER_LENGTH);
      out.writeUInt16BE(msg.readUInt16BE(0), 0);
      out.writeUInt16BE(0x8000 | (msg.readUInt16BE(2) & 0x7900) | Rcode.SERVFAIL, 2);
      return out;
    }
  }

  async loadZones(): Promise<FileResult[]> {
    const results = await loadDirectory(this.opts.zonesDir, { defaultTtl: this.opts.defaultTtl });
    for (const r of results) this.apply(r);
    return results;
  }

  /** Serves a freshly loaded zone, or logs why it was rejected (keeping what was served). */
  apply(r: FileResult): void {
    const log = this.opts.logger;
    for (const d of r.diagnostics.filter((x) => x.severity === 'warning')) log.warn({ file: r.file }, formatDiagnostic(d));
    if (r.ok) {
      this.catalog.set(r.zone);
      log.info({ zone: r.zone.origin.toString(), records: r.zone.recordCount, serial: r.zone.serial, file: r.file }, 'zone loaded');
      this.events.emit('loaded', r.zone, r.file);
    } else {
      const errors = r.diagnostics.filter((x) => x.severity === 'error').map(formatDiagnostic);
      log.error({ file: r.file, errors }, `zone rejected: ${errors[0] ?? 'unknown error'}`);
      this.events.emit('rejected', r.file, r.diagnostics);
    }
  }

  async listen(): Promise<ListenAddress[]> {
    for (const want of this.opts.listen) await this.bindPair(want);
    for (const a of this.bound) this.opts.logger.info({ address: a.host, port: a.port, family: a.family, listen: formatHostPort(a) }, 'listening on UDP and TCP');
    return this.bound;
  }

  /** UDP and TCP on the same port; with port 0 the UDP port is chosen first and TCP follows it. */
  private async bindPair(want: ListenAddress): Promise<void> {
    const tries = want.port === 0 ? 10 : 1;
    for (let attempt = 1; ; attempt++) {
      const socket = await bindUdp(want, (msg, ctx) => this.handle(msg, ctx));
      const port = socket.address().port;
      try {
        const server = await bindTcp({ ...want, port }, (msg, ctx) => this.handle(msg, ctx), { idleTimeoutMs: this.opts.tcpIdleTimeoutMs });
        this.sockets.push(socket);
        this.listeners.push(server);
        this.bound.push({ ...want, port });
        return;
      } catch (e) {
        socket.close();
        if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= tries) throw e;
      }
    }
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.close();
    await Promise.all(this.listeners.map((l) => l.close()));
  }
}
