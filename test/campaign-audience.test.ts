import { randomUUID } from 'node:crypto';
import mongoose, { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAudienceReader } from '../src/campaigns/audience.js';
import { deliveryId } from '../src/campaigns/campaign.model.js';
import { createCampaignRepo } from '../src/campaigns/campaign.repo.js';
import { personModels } from '../src/people/person.model.js';
import { testMongoUri } from './support/app.js';

/**
 * The campaign's reads and writes on the real FerretDB, counted by the driver's command
 * monitoring: how many queries a fan-out makes, and which key a send's claim uses.
 */
const id = randomUUID().slice(0, 8);
let conn: mongoose.Connection;
const commands: { name: string; collection: string; filter: Record<string, unknown> }[] = [];
const people: Types.ObjectId[] = [];

beforeAll(async () => {
  conn = await mongoose
    .createConnection(testMongoUri(`test_audience_${id}`), { monitorCommands: true })
    .asPromise();
  conn.getClient().on('commandStarted', (e) => {
    const cmd = e.command as Record<string, unknown>;
    const collection = cmd[e.commandName];
    commands.push({
      name: e.commandName,
      collection: typeof collection === 'string' ? collection : '',
      filter: (cmd.filter ??
        cmd.query ??
        (cmd.updates as { q?: unknown }[] | undefined)?.[0]?.q ??
        {}) as Record<string, unknown>,
    });
  });
  const { Person, Identity } = personModels(conn);
  const now = new Date();
  // Seven people: WeChat and Telegram (WeChat wins), Telegram only, web only, none, an
  // unreachable Telegram chat, an opted-out person, Tibetan on Telegram.
  for (let i = 0; i < 7; i++) people.push(new Types.ObjectId());
  await Person.insertMany(
    people.map((_id, i) => ({
      _id,
      language: i === 6 ? 'bo' : 'zh-CN',
      outreachOptOut: i === 5,
      createdAt: now,
      lastSeenAt: now,
    })),
  );
  const identity = (channel: string, address: string, p: number, unreachable = false) => ({
    _id: `${channel}:${address}`,
    channel,
    personId: people[p],
    createdAt: now,
    ...(unreachable ? { unreachableSince: now } : {}),
  });
  await Identity.insertMany([
    identity('wechat', 'o-0', 0),
    identity('telegram', '100', 0),
    identity('telegram', '101', 1),
    identity('web', 'w-2', 2),
    identity('telegram', '104', 4, true),
    identity('telegram', '105', 5),
    identity('telegram', '106', 6),
  ]);
});

afterAll(async () => {
  await conn?.dropDatabase().catch(() => undefined);
  await conn?.close();
});

const channels = ['wechat', 'telegram', 'web'] as const;

async function collect(after: Types.ObjectId | null, size: number) {
  const pages = [];
  for await (const page of createAudienceReader(conn).pages({}, channels, after, size))
    pages.push(page);
  return pages;
}

describe('the campaign audience', () => {
  it('reads people and identities once per fan-out, however many pages it makes', async () => {
    commands.length = 0;
    const pages = await collect(null, 2);
    const finds = (collection: string) =>
      commands.filter((c) => c.name === 'find' && c.collection === collection).length;
    expect(finds('identities')).toBe(1);
    expect(finds('people')).toBe(1);
    // Six people not opted out, in pages of two; the last page says there is no more.
    expect(pages.map((p) => p.last === null)).toEqual([false, false, true]);
    const to = pages.flatMap((p) => p.recipients);
    expect(to.map((r) => [r.personId.toHexString(), r.channel, r.address, r.lang])).toEqual([
      [people[0]!.toHexString(), 'wechat', 'o-0', 'zh-CN'],
      [people[1]!.toHexString(), 'telegram', '101', 'zh-CN'],
      [people[2]!.toHexString(), 'web', 'w-2', 'zh-CN'],
      [people[6]!.toHexString(), 'telegram', '106', 'bo'],
    ]);
  });

  it('resumes after the last person of a saved page', async () => {
    const first = await collect(null, 2);
    const resumed = await collect(first[0]!.last, 2);
    expect(resumed.flatMap((p) => p.recipients).map((r) => r.address)).toEqual(['w-2', '106']);
  });

  it('claims and records a delivery by its _id (the primary key), never by other fields', async () => {
    const repo = createCampaignRepo(conn);
    const campaignId = new Types.ObjectId().toHexString();
    const [page] = await collect(null, 10);
    await repo.addDeliveries(campaignId, page!.recipients.slice(0, 1), new Date());
    const personId = people[0]!.toHexString();
    commands.length = 0;
    const claimed = await repo.claim(campaignId, personId, new Date());
    expect(claimed).toMatchObject({ channel: 'wechat', address: 'o-0', resumed: false });
    await repo.finish(campaignId, personId, 'sent', new Date());
    expect(await repo.claim(campaignId, personId, new Date())).toBeNull();
    const writes = commands.filter((c) => c.collection === 'campaign_deliveries');
    expect(writes.length).toBeGreaterThanOrEqual(3);
    for (const w of writes) expect(w.filter._id).toBe(deliveryId(campaignId, personId));
  });
});
