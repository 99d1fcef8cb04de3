import type { Redis } from 'ioredis';
import { z } from 'zod';
import { detectScript } from '../../lib/script.js';
import type { OutgoingMessage } from '../../messaging/content.js';
import type { InboundInput } from '../../messaging/inbound.js';
import type { Lang } from '../../messaging/lang.js';

/** Longest text kept for one bubble; longer text is cut (with …) so the transcript stays small. */
export const TRANSCRIPT_TEXT_MAX = 2000;
/** Turns kept per session: enough to see where one was, small enough to send on every reload. */
export const TRANSCRIPT_TURNS_MAX = 50;
/** Matches the conversation layer's resume window: after it the person starts at the menu. */
export const TRANSCRIPT_TTL_SEC = 6 * 60 * 60;

const lang = z.enum(['zh-CN', 'bo']);
const text = z.string().max(TRANSCRIPT_TEXT_MAX);
const turnSchema = z.object({
  at: z.number(),
  /** What the person sent, as their bubble showed it (a pressed button's label). */
  in: z.object({ text, lang: lang.nullable(), choice: z.string().max(64).optional() }).optional(),
  replies: z
    .array(
      z.object({
        text,
        lang,
        choices: z
          .array(z.object({ id: z.string().max(64), label: z.string().max(200) }))
          .max(20)
          .optional(),
      }),
    )
    .max(20),
  /** The one language of the replies, or null when bilingual (before a language is chosen). */
  lang: lang.nullable(),
});
export type TranscriptTurn = z.infer<typeof turnSchema>;

export interface Transcript {
  /** Appends one answered turn. */
  append(sid: string, input: InboundInput, replies: OutgoingMessage[], at: number): Promise<void>;
  /** The last `limit` turns, oldest first; entries that do not parse are skipped. */
  recent(sid: string, limit: number): Promise<TranscriptTurn[]>;
  /** The language the conversation last settled on, or null. */
  lastLang(sid: string): Promise<Lang | null>;
}

/**
 * The recent web conversation per session, so a reload shows what was said and the person
 * carries on where they were (the conversation state itself is the session in Redis). A Redis
 * list `web:tx:{sid}` of JSON turns, capped and expiring with the session's resume window.
 */
/** The Redis list of a web chat's recent turns (erased with the person). */
export const transcriptKey = (prefix: string, sid: string) => `${prefix}web:tx:${sid}`;

export function createTranscript(
  redis: Redis,
  prefix: string,
  { ttlSec = TRANSCRIPT_TTL_SEC, maxTurns = TRANSCRIPT_TURNS_MAX } = {},
): Transcript {
  const keyOf = (sid: string) => transcriptKey(prefix, sid);

  async function parsed(sid: string, from: number): Promise<TranscriptTurn[]> {
    const raw = await redis.lrange(keyOf(sid), from, -1);
    const turns: TranscriptTurn[] = [];
    for (const line of raw) {
      try {
        const turn = turnSchema.safeParse(JSON.parse(line));
        if (turn.success) turns.push(turn.data);
      } catch {
        // not JSON: skip
      }
    }
    return turns;
  }

  return {
    async append(sid, input, replies, at) {
      const turn: TranscriptTurn = {
        at,
        replies: replies.slice(0, 20).map((r) => ({
          text: cap(r.text),
          lang: r.lang,
          ...(r.choices?.length
            ? {
                choices: r.choices
                  .slice(0, 20)
                  .map((c) => ({ id: c.id.slice(0, 64), label: c.label.slice(0, 200) })),
              }
            : {}),
        })),
        lang: settledLang(replies),
      };
      if (input.kind === 'text') {
        turn.in = { text: cap(input.text), lang: detectScript(input.text) ?? turn.lang };
      } else if (input.kind === 'choice') {
        // The label the person pressed, from the turns that offered it.
        const offered = (await parsed(sid, -5))
          .flatMap((t) => t.replies.flatMap((r) => (r.choices ?? []).map((c) => ({ c, r }))))
          .reverse()
          .find(({ c }) => c.id === input.id);
        if (offered) {
          turn.in = {
            text: offered.c.label,
            lang: detectScript(offered.c.label) ?? offered.r.lang,
            choice: input.id.slice(0, 64),
          };
        }
      }
      const key = keyOf(sid);
      await redis
        .multi()
        .rpush(key, JSON.stringify(turn))
        .ltrim(key, -maxTurns, -1)
        .expire(key, ttlSec)
        .exec();
    },
    async recent(sid, limit) {
      return parsed(sid, -Math.max(1, Math.min(limit, maxTurns)));
    },
    async lastLang(sid) {
      const [last] = await parsed(sid, -1);
      return last?.lang ?? null;
    },
  };
}

function cap(value: string): string {
  if (value.length <= TRANSCRIPT_TEXT_MAX) return value;
  let end = TRANSCRIPT_TEXT_MAX - 1;
  if (/[\uD800-\uDBFF]/.test(value.charAt(end - 1))) end--; // never half an emoji
  return `${value.slice(0, end)}…`;
}

/** One language for all replies, none of them bilingual (Tibetan and Han in one text). */
function settledLang(replies: OutgoingMessage[]): Lang | null {
  const langs = new Set(replies.map((r) => r.lang));
  const mixed = replies.some(
    (r) => /[\u0F40-\u0FBC]/u.test(r.text) && /\p{Script=Han}/u.test(r.text),
  );
  const [only] = [...langs];
  return !mixed && langs.size === 1 && only ? only : null;
}
