import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { pino } from 'pino';
import type { CoreDeps } from '../../src/deps.js';
import { startHandoffWorkers } from '../../src/handoff/index.js';

/** The worker role's handoff on a process's core (short webhook backoff; a clock to move). */
export function startHandoffTestWorkers(core: CoreDeps, opts: { now?: () => Date } = {}) {
  return startHandoffWorkers({
    ...core,
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    webhookBackoff: { baseMs: 150, maxMs: 600 },
    ...(opts.now ? { now: opts.now } : {}),
  });
}

export interface WebReply {
  text: string;
  lang: string;
  choices?: { id: string; label: string }[];
  /** An outreach or alert notice under the text (who sends it, how to stop it). */
  notice?: string;
}

/** A person on the web chat, over HTTP as the page talks (one cookie session). */
export function webPerson(base: () => string) {
  let cookie = '';
  const turns = async () => {
    const res = await fetch(`${base()}/api/chat/transcript`, { headers: { cookie } });
    const body = (await res.json()) as {
      turns: { pushed?: boolean; in?: { text: string }; replies: WebReply[] }[];
    };
    return body.turns;
  };
  const post = async (body: Record<string, string>) => {
    const res = await fetch(`${base()}/api/chat/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
      body: JSON.stringify({ clientId: randomUUID(), ...body }),
    });
    const set = res.headers.get('set-cookie');
    if (set) cookie = set.split(';')[0]!;
    expect(res.status).toBe(200);
    return ((await res.json()) as { replies: WebReply[] }).replies;
  };
  return {
    say: (text: string) => post({ text }),
    press: (choice: string) => post({ choice }),
    get sid() {
      return decodeURIComponent(cookie.split('=')[1] ?? '').split('.')[0] ?? '';
    },
    /** What was pushed to the chat (counsellor replies, the rating question), oldest first. */
    async pushes(): Promise<WebReply[]> {
      return (await turns()).filter((t) => t.pushed).flatMap((t) => t.replies);
    },
    /** Everything a reload of the page would show: what was said, and the replies. */
    async shown(): Promise<string> {
      return (await turns())
        .flatMap((t) => [t.in?.text ?? '', ...t.replies.map((r) => r.text)])
        .join('\n');
    },
  };
}

export const joined = (replies: WebReply[]) => replies.map((r) => r.text).join('\n');
