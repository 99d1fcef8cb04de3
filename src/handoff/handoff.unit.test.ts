import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { createSigner } from '../webhooks/signing.js';
import { backoffDelay } from '../webhooks/deliver.worker.js';
import { chooseCounsellor } from './assign.js';
import { createMediaLinks } from './media.js';
import { parseCaseChoice } from './messages.js';
import { casesCsv } from './records.js';
import { summarize } from './summary.js';

const KEY_A = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const KEY_B = 'whsec_c2Vjb25kLWtleS1mb3Itcm90YXRpb24=';

describe('Standard Webhooks signing', () => {
  it('signs so that the standardwebhooks package verifies it, with every key during a rotation', () => {
    const signer = createSigner(`${KEY_A} ${KEY_B}`);
    const body = '{"type":"case.message","data":{"caseId":"x","text":"你好"}}';
    const headers = signer.headers('msg_1', new Date(), body);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(() => new Webhook(KEY_A).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(KEY_B).verify(body, headers)).not.toThrow();
  });
  it('verifies with any of our keys and refuses a changed body or a stale time', () => {
    const signer = createSigner(`${KEY_A} ${KEY_B}`);
    const body = '{"type":"case.closed","data":{}}';
    const at = new Date();
    const sig = new Webhook(KEY_B).sign('msg_2', at, body);
    const headers = {
      'webhook-id': 'msg_2',
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': sig,
    };
    expect(() => signer.verify(body, headers)).not.toThrow();
    expect(() => signer.verify(`${body} `, headers)).toThrow();
    const old = new Date(Date.now() - 301_000);
    expect(() =>
      signer.verify(body, {
        ...headers,
        'webhook-timestamp': String(Math.floor(old.getTime() / 1000)),
        'webhook-signature': new Webhook(KEY_A).sign('msg_2', old, body),
      }),
    ).toThrow();
    expect(() => signer.verify(body, { 'webhook-id': 'msg_2' })).toThrow();
  });
  it('backs off exponentially up to the cap (at least 24 h of retries with 10 s … 1 h)', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, 10_000, 3_600_000))).toEqual([
      10_000, 20_000, 40_000, 80_000,
    ]);
    expect(backoffDelay(30, 10_000, 3_600_000)).toBe(3_600_000);
  });
});

describe('one named counsellor', () => {
  const c = (id: string, languages: ('zh-CN' | 'bo')[]) => ({ id, name: id, languages });
  const team = [c('a', ['zh-CN']), c('b', ['zh-CN', 'bo']), c('d', ['bo'])];
  it('keeps the person’s own counsellor when they speak the language', () => {
    expect(chooseCounsellor(team, 'zh-CN', 'a', new Map([['a', 9]]))?.id).toBe('a');
  });
  it('otherwise picks the least busy who speaks it, and nobody when nobody does', () => {
    expect(
      chooseCounsellor(
        team,
        'bo',
        'a',
        new Map([
          ['b', 3],
          ['d', 1],
        ]),
      )?.id,
    ).toBe('d');
    expect(
      chooseCounsellor(
        team,
        'bo',
        null,
        new Map([
          ['b', 0],
          ['d', 1],
        ]),
      )?.id,
    ).toBe('b');
    expect(chooseCounsellor([c('a', ['zh-CN'])], 'bo', null, new Map())).toBeNull();
  });
});

describe('the case summary', () => {
  it('lists topics once, counts answers, keeps the unanswered questions short and whole stacks', () => {
    const long = 'ང་ལ་ལས་ཀ་ཞིག་དགོས། '.repeat(40);
    const s = summarize({
      questions: [
        { text: '失业金怎么领', outcome: 'answered', topic: 'unemployment-insurance' },
        { text: '失业金多少钱', outcome: 'answered', topic: 'unemployment-insurance' },
        { text: long, outcome: 'declined', topic: null },
      ],
      transcriptLines: 7,
      language: 'bo',
      channel: 'wechat',
      distress: false,
    });
    expect(s.topics).toEqual(['unemployment-insurance']);
    expect(s).toMatchObject({ answered: 2, unanswered: 1, distress: false, messages: 7 });
    const q = s.unansweredQuestions[0]!;
    expect(q.length).toBeLessThanOrEqual(201);
    expect(q.endsWith('…')).toBe(true);
    expect(/[\u0F90-\u0FBC]…$/u.test(q)).toBe(false);
  });
});

describe('choices and records', () => {
  const id = '65a0000000000000000000aa';
  it('reads rating and follow-up buttons, and nothing else', () => {
    expect(parseCaseChoice(`case#r:${id}:4`)).toEqual({ kind: 'rate', caseId: id, rating: 4 });
    expect(parseCaseChoice(`case#f:${id}:ab12cd34:help`)).toMatchObject({
      kind: 'followup',
      answer: 'help',
    });
    expect(parseCaseChoice(`case#r:${id}:9`)).toBeUndefined();
    expect(parseCaseChoice(`case#r:../../x:4`)).toBeUndefined();
    expect(parseCaseChoice('kb#m')).toBeUndefined();
  });
  it('writes Excel-safe CSV: BOM, quotes, no formula from a person’s text', () => {
    const csv = casesCsv([
      {
        id,
        personId: id,
        channel: 'web',
        language: 'zh-CN',
        reason: 'asked',
        status: 'closed',
        counsellor: { name: '王"老师' },
        openedAt: '2026-12-05T00:00:00.000Z',
        closedAt: null,
        rating: 5,
        thread: [
          {
            from: 'person',
            text: '=HYPERLINK("x")',
            at: '2026-12-05T00:00:00.000Z',
            mediaUrl: null,
          },
        ],
      },
    ]);
    expect(csv.startsWith('\uFEFF"caseId"')).toBe(true);
    expect(csv).toContain('"王""老师"');
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
    expect(csv.endsWith('\r\n')).toBe(true);
  });
});

describe('media links', () => {
  it('name the media, expire, and refuse a changed token', () => {
    let now = 1_000_000;
    const links = createMediaLinks({
      secret: 's'.repeat(32),
      baseUrl: 'https://lamton.example/',
      ttlMs: 1000,
      now: () => now,
    });
    const url = links.link({ channel: 'telegram', id: 'AwACAgUAAxkBAAIB' });
    expect(url.startsWith('https://lamton.example/media/')).toBe(true);
    const token = url.split('/media/')[1]!;
    expect(links.read(token)).toEqual({ channel: 'telegram', id: 'AwACAgUAAxkBAAIB' });
    expect(links.read(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`)).toBeNull();
    const other = createMediaLinks({ secret: 'x'.repeat(32), baseUrl: 'https://lamton.example' });
    expect(other.read(token)).toBeNull();
    now += 2000;
    expect(links.read(token)).toBe('expired');
  });
});
