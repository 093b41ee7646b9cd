// What the pipeline knows about a request besides its bytes.
export type Transport = 'udp' | 'tcp';

export interface RequestContext {
  transport: Transport;
  /** The client's address and port as the socket reports them. */
  client: { address: string; port: number };
}

/** One message, or several in order (a zone transfer over TCP). */
export type Response = Buffer | Buffer[];

/** A response, now or later (answers that need another server arrive later). */
export type Reply = Response | undefined | Promise<Response | undefined>;
