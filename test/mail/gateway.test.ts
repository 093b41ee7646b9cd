// A gateway and the senders' SMTP client, in one process over loopback.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { describe, it } from 'node:test';
import { DnsClient } from '../../src/client/dns.js';
import { sendMail, type MailSession } from '../../src/mail/client.js';
import { Dnsbl } from '../../src/mail/dnsbl.js';
import { startGateway } from '../../src/mail/gateway.js';

const session = (port: number): MailSession => ({
  host: '127.0.0.1', port, helo: 'sender.test', from: 'a@sender.test', to: 'postmaster@lab.example',
  message: 'Subject: test\r\n\r\n.a line that starts with a dot\r\nbye', timeoutMs: 5000,
});

describe('gateway and client', () => {
  it('run the story\'s handshake, and the gateway counts the message', async () => {
    const gateway = await startGateway({ name: 'mx1.lab.example', host: '127.0.0.1', port: 0 });
    try {
      const result = await sendMail(session(gateway.port));
      assert.equal(result.outcome, 'accepted', result.transcript.join('\n'));
      const replies = result.transcript.filter((l) => l.startsWith('S: ')).map((l) => l.slice(3));
      assert.equal(replies[0], '220 mx1.lab.example ESMTP ready');
      assert.ok(replies.includes('250 2.1.0 Accepted'));
      assert.ok(replies.includes('250 2.1.5 Accepted'));
      assert.ok(replies.includes('354 End data with <CR><LF>.<CR><LF>'));
      assert.match(result.reply!.lines[0]!, /^250 2\.6\.0 queued as /);
      assert.equal(replies.at(-1), '221 2.0.0 Bye');
      assert.equal(gateway.accepted, 1);
      assert.equal(gateway.rejected, 0);
    } finally {
      await gateway.close();
    }
  });

  it('a port nobody listens on is a refused session', async () => {
    const gateway = await startGateway({ name: 'mx1.lab.example', host: '127.0.0.1', port: 0 });
    await gateway.close();
    const result = await sendMail(session(gateway.port));
    assert.equal(result.outcome, 'refused');
    assert.equal(result.reply, undefined);
  });

  it('a block list that does not answer blocks nobody', async () => {
    // A DNS "server" that reads queries and never answers.
    const silent = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    const client = new DnsClient({ host: '127.0.0.1', port: silent.address().port, family: 4, concurrency: 4, timeoutMs: 200, tries: 1 });
    await client.open();
    const gateway = await startGateway({ name: 'mx1.lab.example', host: '127.0.0.1', port: 0, dnsbl: new Dnsbl(client, 'dnsbl.example') });
    try {
      const result = await sendMail(session(gateway.port));
      assert.equal(result.outcome, 'accepted');
      assert.equal(client.sent, 1, 'the gateway did ask');
    } finally {
      await gateway.close();
      client.close();
      silent.close();
    }
  });
});
