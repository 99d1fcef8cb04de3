import { randomInt } from 'node:crypto';
import type { Redis } from 'ioredis';
import mongoose, { type Connection } from 'mongoose';
import type { Sealer } from '../lib/sealed.js';
import type { PersonData } from './person-data.js';
import { personModels, type PersonDoc } from '../people/person.model.js';
import { SENSITIVE_FIELDS, sealContext } from './profile.service.js';

/** How long a /link code works, and how many wrong codes a chat may try in that time. */
export const LINK_CODE_MINUTES = 10;
export const LINK_TRIES = 5;
/**
 * Wrong codes from all chats together after which every live code stops working (their owners
 * ask for a new one): new chats are cheap, so the tries per chat alone do not stop a guesser;
 * this way no code ever meets more than this many guesses (a chance of 50 in a million).
 */
export const LINK_WRONG_BUDGET = 50;

export type RedeemOutcome =
  | { kind: 'linked'; personId: string }
  | { kind: 'same' }
  | { kind: 'bad' }
  | { kind: 'locked'; minutes: number };

/**
 * One person across channels (DESIGN.md `/link`): a chat asks for a one-time code; the same
 * person sends it from another channel, and that channel's person is folded into the first —
 * identities, conversation log, questions, cases, profile (what the first lacks), language,
 * counsellor, opt-out. Unlinking gives a chat a person of its own again.
 */
export interface Links {
  issue(personId: string, now: Date): Promise<{ code: string; minutes: number }>;
  /** `identity` (`channel:chatId`) of `personId` sends `code`. */
  redeem(identity: string, personId: string, code: string, now: Date): Promise<RedeemOutcome>;
  /** The channels a person is reachable on (telegram, wechat, web), each once. */
  channels(personId: string): Promise<string[]>;
  unlink(
    identity: string,
    personId: string,
    now: Date,
  ): Promise<{ kind: 'unlinked'; personId: string } | { kind: 'alone' }>;
}

export interface LinksDeps {
  mongo: Connection;
  redis: Redis;
  prefix: string;
  sealer: Sealer | null;
  /** Log lines and questions on their way to the database are written before records move. */
  flush(): Promise<void>;
  /** Forgets what Redis keeps for a person's chats (sessions), so they load the new person. */
  forgetSessions(identities: string[]): Promise<void>;
  /** Other features' records of a person (job-alert subscriptions): they follow too. */
  personData: readonly Pick<PersonData, 'merge'>[];
}

/** Collections whose records name their person and follow them into the linked one. */
const FOLLOWING = ['messages', 'questions', 'cases', 'complaints'];

export function createLinks(deps: LinksDeps): Links {
  const { Person, Identity } = personModels(deps.mongo);
  // Codes live under a generation: moving it on ends every live code at once.
  const genKey = `${deps.prefix}link:gen`;
  const wrongKey = `${deps.prefix}link:wrong`;
  const codeKey = (genAndCode: string) => `${deps.prefix}link:code:${genAndCode}`;
  const generation = async () => (await deps.redis.get(genKey)) ?? '0';
  const ownKey = (personId: string) => `${deps.prefix}link:of:${personId}`;
  const triesKey = (identity: string) => `${deps.prefix}link:tries:${identity}`;
  const ttl = LINK_CODE_MINUTES * 60;

  async function merge(from: string, into: string): Promise<void> {
    const [a, b] = await Promise.all([Person.findById(into).lean(), Person.findById(from).lean()]);
    if (!a || !b) return;
    await deps.flush();
    await Identity.updateMany({ personId: b._id }, { $set: { personId: a._id } });
    for (const name of FOLLOWING)
      await deps.mongo
        .collection(name)
        .updateMany({ personId: b._id }, { $set: { personId: a._id } });
    for (const data of deps.personData) await data.merge(from, into);
    await Person.updateOne({ _id: a._id }, { $set: mergedFields(a, b, deps.sealer) });
    await Person.deleteOne({ _id: b._id });
  }

  /** A wrong code from any chat; every LINK_WRONG_BUDGET of them end all live codes. */
  async function countWrong(): Promise<void> {
    const wrong = await deps.redis.incr(wrongKey);
    if (wrong === 1) await deps.redis.expire(wrongKey, ttl);
    if (wrong % LINK_WRONG_BUDGET === 0) await deps.redis.incr(genKey);
  }

  return {
    async issue(personId) {
      // A new code replaces the person's last one.
      const old = await deps.redis.get(ownKey(personId));
      if (old) await deps.redis.del(codeKey(old));
      const gen = await generation();
      for (;;) {
        const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
        if (await deps.redis.set(codeKey(`${gen}:${code}`), personId, 'EX', ttl, 'NX')) {
          await deps.redis.set(ownKey(personId), `${gen}:${code}`, 'EX', ttl);
          return { code, minutes: LINK_CODE_MINUTES };
        }
      }
    },
    async redeem(identity, personId, raw) {
      const tries = await deps.redis.incr(triesKey(identity));
      if (tries === 1) await deps.redis.expire(triesKey(identity), ttl);
      if (tries > LINK_TRIES) return { kind: 'locked', minutes: LINK_CODE_MINUTES };
      const code = asciiDigits(raw);
      if (!/^\d{6}$/.test(code)) return { kind: 'bad' };
      const key = codeKey(`${await generation()}:${code}`);
      const owner = await deps.redis.get(key);
      if (!owner || !mongoose.Types.ObjectId.isValid(owner)) {
        await countWrong();
        return { kind: 'bad' };
      }
      if (owner === personId) return { kind: 'same' };
      // One use: the code is gone whoever wins a race for it.
      if ((await deps.redis.del(key)) === 0) return { kind: 'bad' };
      await deps.redis.del(ownKey(owner), triesKey(identity));
      if (!(await Person.exists({ _id: owner }))) return { kind: 'bad' };
      const moved = (await Identity.find({ personId }, { _id: 1 }).lean()).map((i) => i._id);
      await merge(personId, owner);
      await deps.forgetSessions(moved.filter((i) => i !== identity));
      return { kind: 'linked', personId: owner };
    },
    async channels(personId) {
      if (!mongoose.Types.ObjectId.isValid(personId)) return [];
      const ids = await Identity.find({ personId }, { channel: 1 }).lean();
      return [...new Set(ids.map((i) => i.channel))].sort();
    },
    async unlink(identity, personId, now) {
      if (!mongoose.Types.ObjectId.isValid(personId)) return { kind: 'alone' };
      const count = await Identity.countDocuments({ personId });
      const person = await Person.findById(personId).lean();
      if (count < 2 || !person) return { kind: 'alone' };
      const fresh = new mongoose.Types.ObjectId();
      // The chat keeps its language and an opt-out (never more messages than asked for).
      await Person.create({
        _id: fresh,
        language: person.language,
        outreachOptOut: person.outreachOptOut,
        createdAt: now,
        lastSeenAt: now,
      });
      await Identity.updateOne({ _id: identity, personId }, { $set: { personId: fresh } });
      return { kind: 'unlinked', personId: fresh.toHexString() };
    },
  };
}

/** What the person kept keeps; what they lack comes from the chat joining them. */
function mergedFields(a: PersonDoc, b: PersonDoc, sealer: Sealer | null): Record<string, unknown> {
  const set: Record<string, unknown> = {
    outreachOptOut: a.outreachOptOut || b.outreachOptOut,
    consentLog: [...(a.consentLog ?? []), ...(b.consentLog ?? [])],
  };
  const fill = <K extends keyof PersonDoc>(key: K) => {
    if ((a[key] === undefined || a[key] === null) && b[key] !== undefined && b[key] !== null)
      set[key] = b[key];
  };
  fill('language');
  fill('counsellorId');
  fill('assessment');
  if (!a.consent?.profile && b.consent?.profile) {
    set.consent = b.consent;
    fill('district');
    fill('categories');
    fill('profile');
    // Sealed values are bound to their person: opened as B's, sealed again as A's.
    const sensitive: Record<string, string> = {};
    for (const f of SENSITIVE_FIELDS) {
      const sealed = b.sensitive?.[f];
      const plain = sealed && sealer?.open(sealed, sealContext(b._id.toHexString(), f));
      if (plain && sealer) sensitive[f] = sealer.seal(plain, sealContext(a._id.toHexString(), f));
    }
    if (Object.keys(sensitive).length > 0) set.sensitive = sensitive;
  }
  return set;
}

/** ０-９ and ༠-༩ as 0-9, everything else that is not a digit dropped ("123 456" → "123456"). */
function asciiDigits(text: string): string {
  return [...text.slice(0, 40)]
    .map((ch) => {
      const c = ch.codePointAt(0) ?? 0;
      if (c >= 0xff10 && c <= 0xff19) return String(c - 0xff10);
      if (c >= 0x0f20 && c <= 0x0f29) return String(c - 0x0f20);
      return /\d/.test(ch) ? ch : '';
    })
    .join('');
}
