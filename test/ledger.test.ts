/**
 * The ledger (台账) over HTTP against the real Redis and FerretDB: paging, filters, derived
 * status, the CSV export, audit of sensitive reads and exports, roles, bad and hostile input,
 * the monthly report at Lhasa's month boundaries, and its page in both languages.
 */
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseModels } from '../src/handoff/case.model.js';
import { PAGE_CSP } from '../src/http/page-kit.js';
import { createSealer } from '../src/lib/sealed.js';
import { lhasaMonth } from '../src/lib/lhasa-time.js';
import { messageModel } from '../src/messages/message.model.js';
import { sealContext } from '../src/journey/profile.service.js';
import { personModels } from '../src/people/person.model.js';
import type { TestApp } from './support/app.js';
import { sessionCookie } from './support/admin-session.js';
import { startTestApp } from './support/app.js';

const ADMIN_TOKEN = 'ledger-admin-token-0123456789abcdef';
const DATA_KEY = 'x'.repeat(32);
const PASSWORD = 'a long enough password';
const STATUSES = ['new', 'registered', 'profiled', 'placed'] as const;
type Status = (typeof STATUSES)[number];
const DISTRICTS = ['城关区', '堆龙德庆区', '达孜区', '林周县', undefined] as const;
const CATEGORIES = [['graduate'], ['older', 'low-income'], []] as const;
const DISABILITY = '视力残疾（二级）';
const OLD = new Date('2023-06-15T04:00:00Z');
/** 2024-03 in Lhasa: [2024-02-29T16:00Z, 2024-03-31T16:00Z). */
const MARCH_START = new Date('2024-02-29T16:00:00Z');
const MARCH_END = new Date('2024-03-31T16:00:00Z');

interface Seeded {
  id: string;
  district: string | undefined;
  categories: readonly string[];
  status: Status;
}
interface Item {
  id: string;
  status: Status;
  district: string | null;
  categories: string[];
  channels: string[];
  skills: string | null;
  employment: { at: string; employer: string | null; work: string | null } | null;
  consent: { profile: string | null; sensitive: string | null };
  sensitive?: { disability: string | null; health: string | null };
}
interface ListBody {
  items: Item[];
  nextCursor: string | null;
}

/** RFC 4180: quoted cells with "" and line breaks inside, CRLF between rows. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

describe('the ledger (台账)', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const cookies: Record<string, string> = {};
  const seeded: Seeded[] = [];
  /** People of the monthly fixtures, by letter. */
  const month: Record<string, string> = {};
  let injection = '';
  let sealedOne = '';
  const bulk: string[] = [];

  const as = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });
  const get = (url: string, who = 'pema') => t.app.inject({ url, headers: as(who) });
  const list = async (query: string, who = 'pema') => {
    const res = await get(`/api/admin/people?${query}`, who);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<ListBody>();
  };
  /** Every page of a query, by `nextCursor`. */
  const allPages = async (query: string, limit: number) => {
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const body: ListBody = await list(
        `${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(body.items.length).toBeLessThanOrEqual(limit);
      ids.push(...body.items.map((i) => i.id));
      cursor = body.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    return { ids, pages };
  };
  const auditOf = (target: string) => t.deps.audit.forTarget(target, 100);

  beforeAll(async () => {
    t = await startTestApp({ ADMIN_TOKEN, DATA_KEY }, { listen: false });
    for (const [username, role] of [
      ['pema', 'admin'],
      ['sonam', 'supervisor'],
      ['dolma', 'counsellor'],
    ] as const) {
      const made = await t.app.inject({
        method: 'POST',
        url: '/api/admin/accounts',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        payload: { username, role, password: PASSWORD },
      });
      expect(made.statusCode, username).toBe(201);
      const id = made.json<{ id: string }>().id;
      const token = await t.app.inject({
        method: 'POST',
        url: `/api/admin/accounts/${id}/tokens`,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        payload: { name: 'tests' },
      });
      tokens[username] = token.json<{ token: string }>().token;
      const login = await t.app.inject({
        method: 'POST',
        url: '/admin/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ username, password: PASSWORD }).toString(),
      });
      cookies[username] = sessionCookie(login);
    }

    const { Person, Identity } = personModels(t.deps.mongo);
    const sealer = createSealer(DATA_KEY);
    const consent = { version: 1, at: OLD };
    // 26 people across districts, categories and statuses (created one after another, so
    // their ids grow: the ledger's newest first is the reverse of this order).
    for (let i = 0; i < 26; i++) {
      const _id = new Types.ObjectId();
      const id = _id.toHexString();
      const status = STATUSES[i % 4]!;
      const district = DISTRICTS[i % 5];
      const categories = CATEGORIES[i % 3]!;
      const withdrawn = status === 'new' && i % 8 === 4;
      await Person.create({
        _id,
        language: i % 2 ? 'bo' : 'zh-CN',
        outreachOptOut: i === 3,
        createdAt: OLD,
        lastSeenAt: OLD,
        ...(district ? { district } : {}),
        ...(categories.length ? { categories: [...categories] } : {}),
        ...(status === 'new'
          ? withdrawn
            ? { consent: { profile: null, sensitive: null } }
            : {}
          : {
              consent: { profile: consent, sensitive: i === 6 ? consent : null },
              profile: {
                skills: `技能 ${i}`,
                ...(status === 'registered' ? { intakeAt: 'intake.skills' } : {}),
                ...(status === 'profiled' || status === 'placed' ? { intakeDoneAt: OLD } : {}),
              },
            }),
      });
      if (status === 'placed')
        await Person.collection.updateOne(
          { _id },
          { $set: { employment: { at: OLD, employer: '拉萨某公司', work: '仓库管理员' } } },
        );
      // Not placed: an employment without a date, or null, counts for nothing.
      if (i === 1) await Person.collection.updateOne({ _id }, { $set: { employment: null } });
      if (i === 2) await Person.collection.updateOne({ _id }, { $set: { employment: {} } });
      seeded.push({ id, district, categories, status });
    }
    // Sensitive answer (sealed to the person and field) on person 6.
    sealedOne = seeded[6]!.id;
    await Person.updateOne(
      { _id: sealedOne },
      {
        $set: {
          'sensitive.disability': sealer.seal(DISABILITY, sealContext(sealedOne, 'disability')),
        },
      },
    );
    // Two channels for person 0, one for person 1.
    await Identity.create([
      { _id: 'wechat:o-abc', personId: seeded[0]!.id, channel: 'wechat', createdAt: OLD },
      { _id: 'web:s-1', personId: seeded[0]!.id, channel: 'web', createdAt: OLD },
      { _id: 'web:s-2', personId: seeded[0]!.id, channel: 'web', createdAt: OLD },
      { _id: 'telegram:42', personId: seeded[1]!.id, channel: 'telegram', createdAt: OLD },
    ]);
    // What a person typed, as a spreadsheet would run it.
    const evil = new Types.ObjectId();
    injection = evil.toHexString();
    await Person.create({
      _id: evil,
      language: 'zh-CN',
      outreachOptOut: false,
      createdAt: OLD,
      lastSeenAt: OLD,
      district: '=1+1',
      categories: ['@cmd'],
      consent: { profile: consent, sensitive: null },
      profile: {
        skills: '=HYPERLINK("http://evil.example","点我")',
        wantedWork: '+86 138 0000 0000',
        languages: '-2+3',
        contact: '@SUM(A1:A9)',
        ageGroup: '说 "你好", 然后\r\n换行',
      },
    });
    seeded.push({ id: injection, district: '=1+1', categories: ['@cmd'], status: 'registered' });
    // More than one export page (500) in one district.
    const docs = Array.from({ length: 510 }, () => {
      const _id = new Types.ObjectId();
      bulk.push(_id.toHexString());
      return {
        _id,
        language: 'bo',
        outreachOptOut: false,
        createdAt: OLD,
        lastSeenAt: OLD,
        district: '曲水县',
      };
    });
    await Person.collection.insertMany(docs);

    // The month: 2024-03 (Lhasa). A: first contact at the first instant; B: first contact the
    // instant before (February), seen in March; C: the last instant of March; D: the first of
    // April; E: only wrote in March (log); F: placed in March without contact; G: placed at
    // the first instant of April.
    const make = async (
      key: string,
      p: {
        createdAt: Date;
        lastSeenAt?: Date;
        district?: string;
        categories?: string[];
        placedAt?: Date;
      },
    ) => {
      const _id = new Types.ObjectId();
      month[key] = _id.toHexString();
      await Person.collection.insertOne({
        _id,
        language: 'zh-CN',
        outreachOptOut: false,
        createdAt: p.createdAt,
        lastSeenAt: p.lastSeenAt ?? p.createdAt,
        ...(p.district ? { district: p.district } : {}),
        ...(p.categories ? { categories: p.categories } : {}),
        ...(p.placedAt ? { employment: { at: p.placedAt, employer: '某单位' } } : {}),
      });
    };
    await make('A', { createdAt: MARCH_START, district: '城关区', categories: ['graduate'] });
    await make('B', {
      createdAt: new Date(MARCH_START.getTime() - 1000),
      lastSeenAt: new Date('2024-03-10T03:00:00Z'),
      district: '当雄县',
      categories: ['older', 'low-income'],
    });
    await make('C', { createdAt: new Date(MARCH_END.getTime() - 1) });
    await make('D', { createdAt: MARCH_END, district: '城关区' });
    await make('E', {
      createdAt: new Date('2023-12-01T00:00:00Z'),
      lastSeenAt: new Date('2024-05-01T00:00:00Z'),
      district: '城关区',
      categories: ['long-unemployed'],
    });
    await make('F', {
      createdAt: new Date('2023-11-01T00:00:00Z'),
      district: '尼木县',
      categories: ['graduate'],
      placedAt: new Date('2024-03-20T02:00:00Z'),
    });
    await make('G', { createdAt: new Date('2023-11-01T00:00:00Z'), placedAt: MARCH_END });
    const Message = messageModel(t.deps.mongo);
    const line = (person: string, at: Date) => ({
      personId: new Types.ObjectId(person),
      channel: 'web',
      entries: [{ from: 'person' as const, text: '你好', at }],
      at,
      month: lhasaMonth(at),
    });
    await Message.create([
      line(month.E!, new Date('2024-03-15T05:00:00Z')),
      line(month.E!, new Date('2024-03-16T05:00:00Z')),
      line(month.B!, new Date('2024-03-10T03:00:00Z')),
      line(month.D!, MARCH_END),
      // A person since deleted: their log line counts for nobody.
      line(new Types.ObjectId().toHexString(), new Date('2024-03-12T05:00:00Z')),
    ]);

    const { Case, Complaint } = caseModels(t.deps.mongo);
    const closed = (rating: number | null, closedMonth: string) => ({
      personId: new Types.ObjectId(month.A),
      channel: 'web',
      chatId: 'web-a',
      language: 'zh-CN' as const,
      reason: 'asked' as const,
      status: 'closed' as const,
      openedAt: new Date('2024-03-01T02:00:00Z'),
      month: '2024-03',
      closedAt: new Date('2024-03-02T02:00:00Z'),
      closedMonth,
      rating,
      summary: {
        topics: [],
        answered: 0,
        unanswered: 0,
        unansweredQuestions: [],
        distress: false,
        language: 'zh-CN' as const,
        channel: 'web',
        messages: 1,
      },
    });
    await Case.create([
      closed(5, '2024-03'),
      closed(4, '2024-03'),
      closed(null, '2024-03'),
      closed(1, '2024-02'),
    ]);
    const complaint = (n: number, createdAt: string, dueAt: string, resolvedAt: string | null) => ({
      _id: `TS0000000${n}`,
      personId: new Types.ObjectId(month.A),
      channel: 'web',
      chatId: 'web-a',
      language: 'zh-CN' as const,
      text: '投诉',
      caseId: null,
      status: resolvedAt ? ('resolved' as const) : ('open' as const),
      createdAt: new Date(createdAt),
      dueAt: new Date(dueAt),
      resolvedAt: resolvedAt ? new Date(resolvedAt) : null,
    });
    await Complaint.create([
      // Filed in March, past its March deadline, open: overdue.
      complaint(1, '2024-03-05T02:00:00Z', '2024-03-20T02:00:00Z', null),
      // Filed and answered in March, in time.
      complaint(2, '2024-03-10T02:00:00Z', '2024-03-25T02:00:00Z', '2024-03-12T02:00:00Z'),
      // Filed in February, answered late in March: resolved and overdue in March.
      complaint(3, '2024-02-20T02:00:00Z', '2024-03-06T02:00:00Z', '2024-03-08T02:00:00Z'),
      // Filed in March (Lhasa: 28 March), due in April.
      complaint(4, '2024-03-28T02:00:00Z', '2024-04-12T02:00:00Z', null),
      // 23:00 on 29 February in Lhasa: February's.
      complaint(5, '2024-02-29T15:00:00Z', '2024-04-05T02:00:00Z', null),
    ]);
  });
  afterAll(() => t?.close());

  describe('GET /api/admin/people', () => {
    it('pages through everyone newest first: no duplicates, no gaps', async () => {
      const everyone = [...seeded.map((s) => s.id), ...bulk, ...Object.values(month)].sort((a, b) =>
        b.localeCompare(a),
      );
      const { ids, pages } = await allPages('', 97);
      expect(pages).toBe(Math.ceil(everyone.length / 97));
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual(everyone);
      const first = await list('');
      expect(first.items).toHaveLength(50);
      expect(first.nextCursor).toBe(first.items.at(-1)!.id);
      const last = await list('limit=500&cursor=' + everyone.at(-2)!);
      expect(last).toEqual({
        items: [expect.objectContaining({ id: everyone.at(-1) })],
        nextCursor: null,
      });
    });

    it('derives each person’s status (placed, profiled, registered, new)', async () => {
      const { items } = await list('limit=500&district=' + encodeURIComponent('城关区'));
      const byId = new Map(items.map((i) => [i.id, i]));
      for (const s of seeded.filter((x) => x.district === '城关区'))
        expect(byId.get(s.id)?.status, s.id).toBe(s.status);
      const all = await allPages('', 500);
      expect(all.ids).toHaveLength(seeded.length + bulk.length + Object.keys(month).length);
      const item = async (id: string) => (await get(`/api/admin/people/${id}`)).json<Item>();
      for (const s of seeded) expect((await item(s.id)).status, s.id).toBe(s.status);
      expect((await item(month.F!)).status).toBe('placed');
      expect((await item(month.A!)).status).toBe('new');
    });

    it('filters by status, district and category, alone and together', async () => {
      // Small pages for the small sets (paging with a filter), bigger ones for the bulk.
      const ids = async (q: string, limit = 7) => (await allPages(q, limit)).ids.sort();
      const expected = (f: (s: Seeded) => boolean) =>
        seeded
          .filter(f)
          .map((s) => s.id)
          .sort();
      const monthPeople = Object.values(month);
      for (const status of STATUSES) {
        const got = (await ids(`status=${status}`, status === 'new' ? 200 : 7)).filter(
          (id) => !bulk.includes(id) && !monthPeople.includes(id),
        );
        expect(got, status).toEqual(expected((s) => s.status === status));
      }
      // Everyone without consent is new: the bulk and the month's people too.
      expect(await ids('status=new', 200)).toHaveLength(
        expected((s) => s.status === 'new').length + bulk.length + 5,
      );
      expect(await ids('status=placed')).toEqual(
        [...expected((s) => s.status === 'placed'), month.F!, month.G!].sort(),
      );
      for (const district of ['堆龙德庆区', '达孜区', '林周县'])
        expect(await ids(`district=${encodeURIComponent(district)}`), district).toEqual(
          expected((s) => s.district === district),
        );
      expect((await ids(`district=${encodeURIComponent('曲水县')}`, 200)).length).toBe(510);
      expect(await ids('category=low-income')).toEqual(
        expected((s) => s.categories.includes('low-income'))
          .concat(month.B!)
          .sort(),
      );
      expect(
        await ids(`category=graduate&status=profiled&district=${encodeURIComponent('达孜区')}`),
      ).toEqual(
        expected(
          (s) =>
            s.categories.includes('graduate') && s.status === 'profiled' && s.district === '达孜区',
        ),
      );
      expect(await ids('district=' + encodeURIComponent('不存在的区'))).toEqual([]);
    });

    it('shows an entry’s fields: channels, consent dates, employment, no sensitive part', async () => {
      const { items } = await list('limit=500&status=placed');
      const placed = items.find((i) => i.id === seeded[3]!.id)!;
      expect(placed.employment).toEqual({
        at: OLD.toISOString(),
        employer: '拉萨某公司',
        work: '仓库管理员',
      });
      expect(placed.consent).toEqual({ profile: OLD.toISOString(), sensitive: null });
      const zero = (await get(`/api/admin/people/${seeded[0]!.id}`)).json<Item>();
      expect(zero.channels).toEqual(['web', 'wechat']);
      expect((await get(`/api/admin/people/${seeded[1]!.id}`)).json<Item>().channels).toEqual([
        'telegram',
      ]);
      const plain = (await get(`/api/admin/people/${sealedOne}`)).json<Item>();
      expect(plain).not.toHaveProperty('sensitive');
      expect(JSON.stringify(plain)).not.toContain(DISABILITY);
      expect(plain.skills).toBe('技能 6');
    });
  });

  describe('sensitive reads and exports', () => {
    it('opens disability and health for an admin, and audits the read (never the values)', async () => {
      const before = (await auditOf('people')).length;
      const body = await list('sensitive=1&limit=500&status=profiled');
      const item = body.items.find((i) => i.id === sealedOne)!;
      expect(item.sensitive).toEqual({ disability: DISABILITY, health: null });
      const entries = await auditOf('people');
      expect(entries.length).toBe(before + 1);
      expect(entries[0]).toMatchObject({
        actor: 'pema',
        action: 'people.read-sensitive',
        target: 'people',
        details: { filters: { status: 'profiled', limit: 500 }, count: body.items.length },
      });
      expect(JSON.stringify(entries)).not.toContain(DISABILITY);

      const one = await get(`/api/admin/people/${sealedOne}?sensitive=1`);
      expect(one.json<Item>().sensitive?.disability).toBe(DISABILITY);
      const personal = await auditOf(`person:${sealedOne}`);
      expect(personal).toHaveLength(1);
      expect(personal[0]).toMatchObject({ actor: 'pema', action: 'people.read-sensitive' });
    });

    it('writes nothing to the audit log for a plain read', async () => {
      const before = [
        (await auditOf('people')).length,
        (await auditOf(`person:${sealedOne}`)).length,
      ];
      await list('limit=10');
      await list('limit=10&sensitive=0', 'sonam');
      await get(`/api/admin/people/${sealedOne}`);
      expect([
        (await auditOf('people')).length,
        (await auditOf(`person:${sealedOne}`)).length,
      ]).toEqual(before);
    });

    it('refuses sensitive fields to a supervisor (403) and audits nothing', async () => {
      const before = (await auditOf('people')).length;
      for (const url of [
        '/api/admin/people?sensitive=1',
        '/api/admin/people?sensitive=true&format=csv',
        `/api/admin/people/${sealedOne}?sensitive=1`,
      ]) {
        const res = await get(url, 'sonam');
        expect(res.statusCode, url).toBe(403);
        expect(res.json(), url).toEqual({ error: 'forbidden' });
        expect(res.body).not.toContain(DISABILITY);
      }
      expect((await auditOf('people')).length).toBe(before);
      expect((await get('/api/admin/people?limit=3', 'sonam')).statusCode).toBe(200);
    });

    it('exports every matching row as Excel-friendly CSV, audited', async () => {
      const before = (await auditOf('people')).length;
      const res = await get('/api/admin/people?format=csv&limit=1');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toMatch(
        /^attachment; filename="ledger-\d{4}-\d{2}-\d{2}\.csv"$/,
      );
      expect(res.body.startsWith('\uFEFF"编号","语言","渠道","首次联系时间"')).toBe(true);
      const rows = parseCsv(res.body.slice(1));
      const header = rows[0]!;
      for (const h of ['编号', '语言', '渠道', '区县', '类别', '状态', '联系方式', '就业单位'])
        expect(header).toContain(h);
      expect(header).not.toContain('残疾情况');
      const total = seeded.length + bulk.length + Object.keys(month).length;
      expect(rows).toHaveLength(total + 1);
      expect(new Set(rows.slice(1).map((r) => r[0])).size).toBe(total);
      expect(res.body).not.toContain(DISABILITY);

      const col = (name: string) => header.indexOf(name);
      const evil = rows.find((r) => r[0] === injection)!;
      expect(evil[col('技能')]).toBe('\'=HYPERLINK("http://evil.example","点我")');
      expect(evil[col('求职意向')]).toBe("'+86 138 0000 0000");
      expect(evil[col('掌握语言')]).toBe("'-2+3");
      expect(evil[col('联系方式')]).toBe("'@SUM(A1:A9)");
      expect(evil[col('区县')]).toBe("'=1+1");
      expect(evil[col('类别')]).toBe("'@cmd");
      expect(evil[col('年龄段')]).toBe('说 "你好", 然后\r\n换行');
      expect(evil[col('状态')]).toBe('已同意登记');
      const zero = rows.find((r) => r[0] === seeded[0]!.id)!;
      expect(zero[col('渠道')]).toBe('网页聊天、微信');
      expect(zero[col('首次联系时间')]).toBe('2023-06-15 12:00');
      expect(zero[col('类别')]).toBe('高校毕业生');

      const entries = await auditOf('people');
      expect(entries.length).toBe(before + 1);
      expect(entries[0]).toMatchObject({
        actor: 'pema',
        action: 'people.export',
        details: { sensitive: false, count: total },
      });
      // No filter: an empty object (which the database may leave out).
      expect(entries[0]!.details?.filters ?? {}).toEqual({});
    });

    it('exports across pages of 500 with the filters, and the sensitive columns for an admin', async () => {
      const res = await get(
        `/api/admin/people?format=csv&district=${encodeURIComponent('曲水县')}`,
      );
      const rows = parseCsv(res.body.slice(1));
      expect(
        rows
          .slice(1)
          .map((r) => r[0])
          .sort(),
      ).toEqual([...bulk].sort());
      const supervisor = await get('/api/admin/people?format=csv&status=placed', 'sonam');
      expect(supervisor.statusCode).toBe(200);
      expect(parseCsv(supervisor.body.slice(1))).toHaveLength(
        seeded.filter((s) => s.status === 'placed').length + 2 + 1,
      );
      const exported = (await auditOf('people')).find((e) => e.actor === 'sonam');
      expect(exported).toMatchObject({
        action: 'people.export',
        details: { filters: { status: 'placed' }, count: 8 },
      });

      const sensitive = await get('/api/admin/people?format=csv&sensitive=1&status=profiled');
      const srows = parseCsv(sensitive.body.slice(1));
      expect(srows[0]).toContain('残疾情况');
      const row = srows.find((r) => r[0] === sealedOne)!;
      expect(row[srows[0]!.indexOf('残疾情况')]).toBe(DISABILITY);
      expect((await auditOf('people'))[0]).toMatchObject({
        actor: 'pema',
        action: 'people.export',
        details: { sensitive: true, filters: { status: 'profiled' } },
      });
    });
  });

  describe('who may read it, and bad input', () => {
    it('401 without credentials, 403 for a counsellor, on every route', async () => {
      for (const url of [
        '/api/admin/people',
        '/api/admin/people?format=csv',
        `/api/admin/people/${sealedOne}`,
        '/api/admin/reports/monthly',
      ]) {
        const none = await t.app.inject({ url });
        expect(none.statusCode, url).toBe(401);
        expect(none.json()).toEqual({ error: 'unauthorized' });
        const counsellor = await get(url, 'dolma');
        expect(counsellor.statusCode, url).toBe(403);
        expect(counsellor.json()).toEqual({ error: 'forbidden' });
      }
    });

    it('400 in the validation format for a bad cursor, limit, status, format or month', async () => {
      for (const url of [
        '/api/admin/people?cursor=xyz',
        `/api/admin/people?cursor=${'g'.repeat(24)}`,
        `/api/admin/people?cursor=${'a'.repeat(25)}`,
        '/api/admin/people?limit=0',
        '/api/admin/people?limit=501',
        '/api/admin/people?limit=abc',
        '/api/admin/people?limit=2.5',
        '/api/admin/people?status=hired',
        '/api/admin/people?status=new&status=placed',
        '/api/admin/people?format=xlsx',
        '/api/admin/people?sensitive=yes',
        '/api/admin/people?category=Not%20A%20Slug',
        '/api/admin/people?district=%00',
        '/api/admin/reports/monthly?month=2024-13',
        '/api/admin/reports/monthly?month=24-03',
        '/api/admin/reports/monthly?month=2024-3',
      ]) {
        const res = await get(url);
        expect(res.statusCode, url).toBe(400);
        const body = res.json<{ error: string; details: { path: string; message: string }[] }>();
        expect(body.error, url).toBe('validation');
        expect(body.details.length, url).toBeGreaterThan(0);
      }
    });

    it('404 for an unknown or malformed person id', async () => {
      for (const id of [
        new Types.ObjectId().toHexString(),
        'abc',
        'z'.repeat(24),
        '0'.repeat(25),
      ]) {
        const res = await get(`/api/admin/people/${id}`);
        expect(res.statusCode, id).toBe(404);
      }
    });

    it('never answers hostile query strings with a 5xx', async () => {
      const hostile = [
        'district[$ne]=x',
        'district=%7B%22%24gt%22%3A%22%22%7D',
        '__proto__[status]=placed',
        'constructor=1&toString=2',
        `district=${'城'.repeat(5000)}`,
        'district=%ff%fe',
        'cursor=%00',
        'cursor[]=a&cursor[]=b',
        'limit=1e309',
        'limit=-1',
        'limit=%20',
        'status=',
        'category=' + encodeURIComponent('older"; drop'),
        'format=csv&district=%E2%80%AE',
        'sensitive=1&sensitive=1',
        '&&&==&',
        'district=' + encodeURIComponent('__proto__'),
      ];
      for (const q of hostile) {
        for (const path of ['/api/admin/people', `/api/admin/people/${sealedOne}`]) {
          const res = await get(`${path}?${q}`);
          expect(res.statusCode, `${path}?${q}`).toBeLessThan(500);
        }
        const month = await get(`/api/admin/reports/monthly?month=${q}`);
        expect(month.statusCode, q).toBeLessThan(500);
        const page = await t.app.inject({
          url: `/admin/reports/monthly?${q}&month=${q}`,
          headers: { cookie: cookies.pema! },
        });
        expect(page.statusCode, q).toBeLessThan(500);
      }
    });

    it('documents the routes in the OpenAPI document', async () => {
      const res = await t.app.inject({ url: '/docs/json', headers: { cookie: cookies.pema! } });
      expect(res.statusCode).toBe(200);
      const paths = Object.keys(res.json<{ paths: Record<string, unknown> }>().paths);
      expect(paths).toEqual(
        expect.arrayContaining([
          '/api/admin/people',
          '/api/admin/people/{id}',
          '/api/admin/reports/monthly',
        ]),
      );
    });
  });

  describe('the monthly report', () => {
    it('counts March 2024 by Lhasa time: served, new, placed, by district and category', async () => {
      const res = await get('/api/admin/reports/monthly?month=2024-03', 'sonam');
      expect(res.statusCode).toBe(200);
      const r = res.json<Record<string, unknown>>();
      const zero = { served: 0, new: 0, placed: 0 };
      expect(r).toEqual({
        month: '2024-03',
        served: 4,
        new: 2,
        placed: 1,
        byDistrict: {
          城关区: { served: 2, new: 1, placed: 0 },
          堆龙德庆区: zero,
          达孜区: zero,
          林周县: zero,
          当雄县: { served: 1, new: 0, placed: 0 },
          尼木县: { served: 0, new: 0, placed: 1 },
          曲水县: zero,
          墨竹工卡县: zero,
          none: { served: 1, new: 1, placed: 0 },
        },
        byCategory: {
          older: { served: 1, new: 0, placed: 0 },
          graduate: { served: 1, new: 1, placed: 1 },
          'zero-employment-family': zero,
          'long-unemployed': { served: 1, new: 0, placed: 0 },
          'low-income': { served: 1, new: 0, placed: 0 },
          none: { served: 1, new: 1, placed: 0 },
        },
        satisfaction: { rated: 2, average: 4.5 },
        complaints: { filed: 3, resolved: 2, overdue: 2 },
      });
    });

    it('puts the instants either side of a boundary in their own Lhasa month', async () => {
      const feb = (await get('/api/admin/reports/monthly?month=2024-02')).json<{
        new: number;
        served: number;
        satisfaction: { rated: number; average: number | null };
        complaints: { filed: number; resolved: number; overdue: number };
      }>();
      expect(feb.new).toBe(1);
      expect(feb.served).toBe(1);
      expect(feb.satisfaction).toEqual({ rated: 1, average: 1 });
      expect(feb.complaints).toEqual({ filed: 2, resolved: 0, overdue: 0 });
      const apr = (await get('/api/admin/reports/monthly?month=2024-04')).json<{
        new: number;
        served: number;
        placed: number;
        satisfaction: { rated: number; average: number | null };
      }>();
      // D (first contact and log line at 00:00 on 1 April), G (placed then); E last seen in May.
      expect(apr).toMatchObject({ new: 1, served: 1, placed: 1 });
      expect(apr.satisfaction).toEqual({ rated: 0, average: null });
    });

    it('reads a busy month through the database cursor (more than one batch)', async () => {
      const r = (await get('/api/admin/reports/monthly?month=2023-06')).json<{
        served: number;
        new: number;
        byDistrict: Record<string, { served: number }>;
      }>();
      expect(r.new).toBe(seeded.length + bulk.length);
      expect(r.served).toBe(seeded.length + bulk.length);
      expect(r.byDistrict['曲水县']?.served).toBe(510);
      // A district outside the glossary (typed by a person) is its own row.
      expect(r.byDistrict['=1+1']?.served).toBe(1);
    });

    it('defaults to the current month in Lhasa', async () => {
      const res = await get('/api/admin/reports/monthly');
      expect(res.statusCode).toBe(200);
      expect(res.json<{ month: string }>().month).toBe(lhasaMonth(new Date()));
    });
  });

  describe('the monthly report page', () => {
    const page = (query: string, who?: string) =>
      t.app.inject({
        url: `/admin/reports/monthly${query}`,
        headers: who ? { cookie: cookies[who]! } : {},
      });

    it('renders the numbers and an SVG chart in Chinese and in Tibetan, without script', async () => {
      for (const lang of ['zh-CN', 'bo'] as const) {
        const res = await page(`?lang=${lang}&month=2024-03`, 'pema');
        expect(res.statusCode, lang).toBe(200);
        expect(res.headers['content-security-policy']).toBe(PAGE_CSP);
        const html = res.body;
        expect(html).toContain(`<html lang="${lang}">`);
        expect(html).toContain('<svg');
        expect(html).not.toMatch(/<script|style="/);
        const s = (key: string) => t.deps.translator.t(lang, `ledger:${key}`);
        expect(html).toContain(s('monthly.title'));
        expect(html).toContain(s('monthly.served'));
        expect(html).toContain(s('category.graduate'));
        expect(html).toMatch(/<dd data-key="monthly.served">4<\/dd>/);
        expect(html).toMatch(/<dd data-key="monthly.average">4.50<\/dd>/);
        expect(html).toMatch(/<tr data-key="城关区"><td>[^<]+<\/td><td class="num">2<\/td>/);
        // The district's name in the page's language (the glossary's Tibetan).
        expect(html).toContain(lang === 'bo' ? 'ཁྲིན་ཀོན་ཆུས' : '城关区');
        const css = /<link rel="stylesheet" href="([^"]+)">/.exec(html)?.[1];
        expect((await t.app.inject({ url: css! })).statusCode).toBe(200);
      }
    });

    it('shows the current month for a bad one, sends the login, refuses a counsellor', async () => {
      const bad = await page('?month=2024-99&lang=bo', 'sonam');
      expect(bad.statusCode).toBe(200);
      expect(bad.body).toContain(`value="${lhasaMonth(new Date())}"`);
      const anonymous = await page('?month=2024-03');
      expect(anonymous.statusCode).toBe(302);
      expect(anonymous.headers.location).toMatch(/^\/admin\/login\?next=/);
      const counsellor = await page('', 'dolma');
      expect(counsellor.statusCode).toBe(403);
      expect(counsellor.body).not.toContain('<svg');
    });
  });
});
