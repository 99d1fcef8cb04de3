import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { Webhook } from 'standardwebhooks';

export interface ReceivedEvent {
  id: string;
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
  signature: string;
}

/** A `whsec_` secret of 24 random bytes. */
export const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

/**
 * The counsellor office's own system on loopback: verifies every call with the
 * `standardwebhooks` package (a call it cannot verify is answered 401 and counted), records
 * events by `webhook-id`, can be "down" (503), and signs calls back to the assistant.
 */
export async function startCounsellorSystem(secret: string) {
  const wh = new Webhook(secret);
  const events: ReceivedEvent[] = [];
  /** Every attempt, including the refused ones (id per attempt). */
  const attempts: { id: string; status: number }[] = [];
  let rejected = 0;
  let down = false;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const id = String(req.headers['webhook-id']);
      if (down) {
        attempts.push({ id, status: 503 });
        res.writeHead(503).end();
        return;
      }
      try {
        const parsed = wh.verify(body, {
          'webhook-id': id,
          'webhook-timestamp': String(req.headers['webhook-timestamp']),
          'webhook-signature': String(req.headers['webhook-signature']),
        }) as { type: string; timestamp: string; data: Record<string, unknown> };
        attempts.push({ id, status: 200 });
        // A receiver de-duplicates by webhook-id (a retry after a lost 200 is the same event).
        if (!events.some((e) => e.id === id))
          events.push({ id, ...parsed, signature: String(req.headers['webhook-signature']) });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } catch {
        rejected++;
        attempts.push({ id, status: 401 });
        res.writeHead(401).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/hooks`;

  return {
    url,
    events,
    attempts,
    get rejected() {
      return rejected;
    },
    setDown(d: boolean) {
      down = d;
    },
    /** Waits for an event of `type` matching `match`. */
    async waitFor(
      type: string,
      match: (data: Record<string, unknown>) => boolean = () => true,
      timeoutMs = 15_000,
    ): Promise<ReceivedEvent> {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find((e) => e.type === type && match(e.data));
        if (found) return found;
        if (Date.now() > end)
          throw new Error(`no ${type} event (got ${events.map((e) => e.type).join(', ')})`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    /** Calls the assistant's `/webhooks/counsellor`, signed as the office does. */
    async call(
      appUrl: string,
      type: string,
      data: Record<string, unknown>,
      opts: { id?: string; at?: Date; secret?: string; signature?: string; raw?: string } = {},
    ) {
      const id = opts.id ?? `msg_${randomUUID().replaceAll('-', '')}`;
      const at = opts.at ?? new Date();
      const body = opts.raw ?? JSON.stringify({ type, timestamp: at.toISOString(), data });
      const signer = opts.secret ? new Webhook(opts.secret) : wh;
      const res = await fetch(`${appUrl}/webhooks/counsellor`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
          'webhook-signature': opts.signature ?? signer.sign(id, at, body),
        },
        body,
      });
      return {
        status: res.status,
        body: (await res.json().catch(() => ({}))) as Record<string, unknown>,
        id,
      };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type CounsellorSystem = Awaited<ReturnType<typeof startCounsellorSystem>>;
