// The sending side of one SMTP session, over node:net: greeting, EHLO, MAIL,
// RCPT, DATA, the message, QUIT (RFC 5321 §3.3, §4.2). Small enough to write
// out, and it binds the local address a sender connects from, which is how a
// lab sender shows up as the listed 127.0.0.2.
import net from 'node:net';

export interface Reply {
  code: number;
  /** The reply's lines, codes included, as the server sent them. */
  lines: string[];
}

export interface MailSession {
  host: string;
  port: number;
  /** The address to connect from (127.0.0.2 to be the RFC 5782 listed test point). */
  localAddress?: string;
  helo: string;
  from: string;
  to: string;
  /** The message, headers and body, lines joined by CRLF; dot-stuffed here. */
  message: string;
  timeoutMs: number;
}

/**
 * accepted: 250 after the message. refused: no connection, or no reply in
 * time. rejected: a 5xx, permanent. deferred: a 4xx, try later or elsewhere.
 */
export type SessionOutcome = 'accepted' | 'refused' | 'rejected' | 'deferred';

export interface SessionResult {
  outcome: SessionOutcome;
  /** The last reply, the one that decided the outcome (none when there was no connection). */
  reply?: Reply;
  /** C: and S: lines, in order. */
  transcript: string[];
}

/** Collects the server's replies: a reply is complete at the line whose code is followed by a space. */
class ReplyReader {
  private buffered = '';
  private lines: string[] = [];
  private readonly ready: Reply[] = [];
  private waiting?: { resolve: (r: Reply) => void; reject: (e: Error) => void };
  private failure?: Error;

  constructor(socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.take(chunk));
    socket.on('close', () => this.fail(new Error('connection closed')));
    socket.on('error', (e) => this.fail(e));
  }

  next(): Promise<Reply> {
    const reply = this.ready.shift();
    if (reply) return Promise.resolve(reply);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => { this.waiting = { resolve, reject }; });
  }

  private take(chunk: string): void {
    this.buffered += chunk;
    let nl: number;
    while ((nl = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, nl).replace(/\r$/, '');
      this.buffered = this.buffered.slice(nl + 1);
      this.lines.push(line);
      if (/^\d{3}(?: |$)/.test(line)) {
        const reply = { code: Number(line.slice(0, 3)), lines: this.lines };
        this.lines = [];
        const waiting = this.waiting;
        this.waiting = undefined;
        if (waiting) waiting.resolve(reply);
        else this.ready.push(reply);
      }
    }
  }

  private fail(e: Error): void {
    this.failure ??= e;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(e);
  }
}

/** RFC 5321 §4.5.2: a line that starts with a dot gets one more. */
function dotStuffed(message: string): string {
  return message.split('\r\n').map((line) => (line.startsWith('.') ? `.${line}` : line)).join('\r\n');
}

export async function sendMail(s: MailSession): Promise<SessionResult> {
  const transcript: string[] = [];
  const socket = net.connect({ host: s.host, port: s.port, ...(s.localAddress ? { localAddress: s.localAddress } : {}) });
  socket.setTimeout(s.timeoutMs, () => socket.destroy(new Error(`no reply within ${s.timeoutMs} ms`)));
  const reader = new ReplyReader(socket);
  const read = async (): Promise<Reply> => {
    const reply = await reader.next();
    for (const line of reply.lines) transcript.push(`S: ${line}`);
    return reply;
  };
  const send = (line: string, shown = line): void => {
    transcript.push(`C: ${shown}`);
    socket.write(`${line}\r\n`);
  };
  const finish = (outcome: SessionOutcome, reply?: Reply): SessionResult => {
    socket.destroy();
    return { outcome, ...(reply ? { reply } : {}), transcript };
  };
  /** A 4xx or 5xx ends the session: say QUIT, politely, when the server still listens. */
  const failed = (reply: Reply): SessionResult => {
    if (!socket.destroyed) socket.end('QUIT\r\n');
    return { outcome: reply.code >= 500 ? 'rejected' : 'deferred', reply, transcript };
  };
  try {
    let reply = await read();
    if (reply.code !== 220) return failed(reply);
    const steps: [string, number][] = [[`EHLO ${s.helo}`, 250], [`MAIL FROM:<${s.from}>`, 250], [`RCPT TO:<${s.to}>`, 250], ['DATA', 354]];
    for (const [command, expected] of steps) {
      send(command);
      reply = await read();
      if (reply.code !== expected) return failed(reply);
    }
    transcript.push(`C: (message, ${s.message.length} characters)`, 'C: .');
    socket.write(`${dotStuffed(s.message)}\r\n.\r\n`);
    reply = await read();
    if (reply.code !== 250) return failed(reply);
    send('QUIT');
    await read().catch(() => undefined);
    return finish('accepted', reply);
  } catch {
    return finish('refused');
  }
}
