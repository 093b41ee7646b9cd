// What the pipeline knows about a request besides its bytes.
export type Transport = 'udp' | 'tcp';

export interface RequestContext {
  transport: Transport;
  /** The client's address and port as the socket reports them. */
  client: { address: string; port: number };
}

/** A response, now or later (answers that need another server arrive later). */
export type Reply = Buffer | undefined | Promise<Buffer | undefined>;
