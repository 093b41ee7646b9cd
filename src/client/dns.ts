// A small DNS client for rotor's own tools (mxsim's senders, the SMTP
// gateways' block-list check): queries over one UDP socket, TCP when an answer
// comes back truncated, encoded and parsed with dns2's Packet. A fixed number
// of queries may be in flight and each try has a deadline, so a silent server
// fails a lookup instead of hanging it.
import dgram from 'node:dgram';
import net from 'node:net';
import { Packet, type Question, type Resource } from 'dns2';

/** A lookup that got no usable answer; `reason` names why in one word (NXDOMAIN, REFUSED, timeout…). */
export class DnsError extends Error {
  constructor(message: string, readonly reason: string) {
    super(message);
  }
}

export interface DnsClientOptions {
  host: string;
  port: number;
  family: 4 | 6;
  /** Queries in flight at most. */
  concurrency: number;
  /** Per try. */
  timeoutMs: number;
  tries: number;
}

export type QueryType = 'MX' | 'A' | 'AAAA' | 'TXT';

const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

export function rcodeName(rcode: number): string {
  return RCODES[rcode] ?? `rcode ${rcode}`;
}

/** Lower case with the trailing dot, as rotor's tools spell names. */
export function fqdn(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

interface Waiting {
  resolve: (msg: Buffer) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class DnsClient {
  /** Messages sent to the server, retries and TCP included. */
  sent = 0;
  private socket?: dgram.Socket;
  private readonly inFlight = new Map<number, Waiting>();
  private readonly queue: (() => void)[] = [];
  private active = 0;
  private nextId = Math.floor(Math.random() * 0x10000);

  constructor(private readonly opts: DnsClientOptions) {}

  async open(): Promise<void> {
    const socket = dgram.createSocket(this.opts.family === 6 ? 'udp6' : 'udp4');
    socket.on('message', (msg, from) => {
      if (msg.length < 12 || from.port !== this.opts.port) return;
      const waiting = this.inFlight.get(msg.readUInt16BE(0));
      if (!waiting) return;
      this.inFlight.delete(msg.readUInt16BE(0));
      clearTimeout(waiting.timer);
      waiting.resolve(msg);
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, () => { socket.off('error', reject); resolve(); });
    });
    socket.on('error', (e) => { for (const w of this.inFlight.values()) w.reject(e); });
    this.socket = socket;
  }

  close(): void {
    this.socket?.close();
  }

  get server(): string {
    return this.opts.family === 6 ? `[${this.opts.host}]:${this.opts.port}` : `${this.opts.host}:${this.opts.port}`;
  }

  /** The server's response, whatever its rcode; throws DnsError only when none came. */
  async query(name: string, type: QueryType): Promise<Packet> {
    await this.slot();
    try {
      const request = new Packet();
      request.questions.push({ name, type: Packet.TYPE[type], class: Packet.CLASS.IN } as Question);
      // EDNS, as a resolver would send it, keeps the answer and its addresses in one datagram.
      request.additionals.push(Packet.Resource.EDNS([], { udpPayloadSize: 1232 }) as Resource);
      const response = Packet.parse(await this.exchange(request));
      if (!response.header.tc) return response;
      request.header.id = 0;
      return Packet.parse(await this.overTcp(request.toBuffer()));
    } finally {
      this.release();
    }
  }

  /** Like query, but an rcode other than NOERROR is a DnsError too. */
  async answer(name: string, type: QueryType): Promise<Packet> {
    const response = await this.query(name, type);
    const rcode = response.header.rcode;
    if (rcode !== 0) throw new DnsError(`${type} ${fqdn(name)}: ${this.server} answered ${rcodeName(rcode)}`, rcodeName(rcode));
    return response;
  }

  private async exchange(request: Packet): Promise<Buffer> {
    for (let attempt = 1; ; attempt++) {
      request.header.id = this.freeId();
      try {
        return await this.sendUdp(request.header.id, request.toBuffer());
      } catch (e) {
        if (!(e instanceof DnsError) || attempt >= this.opts.tries) throw e;
      }
    }
  }

  private sendUdp(id: number, message: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.inFlight.delete(id);
        reject(new DnsError(`no answer from ${this.server} within ${this.opts.timeoutMs} ms`, 'timeout'));
      }, this.opts.timeoutMs);
      this.inFlight.set(id, { resolve, reject, timer });
      this.sent++;
      this.socket!.send(message, this.opts.port, this.opts.host);
    });
  }

  private overTcp(message: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: this.opts.host, port: this.opts.port });
      socket.setTimeout(this.opts.timeoutMs, () => socket.destroy(new DnsError(`no TCP answer from ${this.server} within ${this.opts.timeoutMs} ms`, 'timeout')));
      socket.once('error', reject);
      Packet.readStream(socket).then(resolve, reject).finally(() => socket.end());
      const length = Buffer.alloc(2);
      length.writeUInt16BE(message.length);
      this.sent++;
      socket.write(Buffer.concat([length, message]));
    });
  }

  private freeId(): number {
    do this.nextId = (this.nextId + 1) & 0xffff;
    while (this.inFlight.has(this.nextId));
    return this.nextId;
  }

  private slot(): Promise<void> {
    if (this.active < this.opts.concurrency) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.queue.push(resolve));
  }

  private release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.active--;
  }
}
