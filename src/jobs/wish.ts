import { cleanText } from '../lib/normalize.js';
import { districtIn, districtOf, termsOf, workNamesIn } from './terms.js';

/**
 * A job-alert wish in plain language (issue 13): "有保安岗位通知我", "以后有司机的活儿告诉我一声",
 * "ཁ་ལོ་བའི་ལས་ཀ་ཡོད་ན་ང་ལ་བརྡ་ཐོང་།" — a kind of work, and a request to be told when it is
 * posted. Returns the work as keywords (to subscribe with), or null when the text is not such a
 * wish: a question about a job ("保安工资多少"), a search ("我想找保安工作"), how to subscribe.
 * Only the words naming the work are kept, and only when the matcher knows them (a kind of work
 * or a district): "有好消息通知我" is not a wish.
 */
export function alertWish(text: string): string[] | null {
  const clean = cleanText(text).trim();
  if (clean.length === 0 || clean.length > 120) return null;
  const candidates = /[\u0F00-\u0FFF]/u.test(clean) ? tibetanWork(clean) : chineseWork(clean);
  // (Most messages are no wish: nothing more is read of them.)
  if (!candidates.some(Boolean)) return null;
  // A district named anywhere (曲水县那边…, སྙེ་མོ་རྫོང་ལ་…) is the subscription's filter.
  const district = districtIn(clean);
  // Of the readings, the one naming most known kinds of work (then the first).
  let best: { keywords: string[]; named: number } | null = null;
  for (const found of candidates) {
    if (!found) continue;
    // (The district out of the work, with a Tibetan case ending after it: ཆུས་སུ་, རྫོང་ལ་.)
    const work = district
      ? found
          .replace(district.found, ' ')
          .replace(/^\s*[\u0F0B]?(?:ལ|སུ|དུ|ཏུ|རུ|ན|ནང)?(?:\u0F0B|$)/u, ' ')
      : found;
    const keywords = work
      .split(ALSO)
      .map((k) => k.trim())
      // "开车的活" names the work 开车 (a driver): kept as the name, so it matches postings.
      .flatMap((k) => {
        const named = workNamesIn(k);
        return named.length === 1 ? named : [k];
      })
      .filter(
        (k) =>
          k.length > 0 &&
          !VAGUE.test(k) &&
          !asksOnly(k) &&
          (districtOf(k) !== null || termsOf([k]).length > 0),
      );
    const named = keywords.filter((k) => termsOf([k]).some((t) => t.startsWith('g:'))).length;
    if (keywords.length > 0 && (!best || named > best.named)) best = { keywords, named };
  }
  if (!best || (best.named === 0 && best.keywords.every((k) => districtOf(k) !== null)))
    return null;
  return district && !best.keywords.includes(district.zh)
    ? [...best.keywords, district.zh]
    : best.keywords;
}

// ------------------------------------------------------------------------------------ Chinese

/** "Tell me" in its everyday forms (通知我, 告诉我一声, 提醒一下我, 跟我说, 发给我, 吱一声, 喊我). */
const ZH_TELL =
  /(?:通知|同知|通之|通治|告诉|告素|告数|提醒|告知|知会|推送|推荐|推|发|联系|喊|叫|告)(?:一下|一声|下)?(?:我|给我)|(?:跟|和|给)我(?:说|讲|发|打)|帮我(?:推送|推|发|通知)|(?:通知|告诉|提醒|说|吱|吭|言语)(?:一下|一声|个声|一身)|发个?(?:消息|信息|短信)给我/u;
/** "Keep an eye out for me": the work comes after it (帮我订阅一下收银员的岗位, 帮我盯着物业的活). */
const ZH_WATCH = /(?:订阅|关注|盯着?|瞅着?|留意|留心|注意)(?:一下|着|下)?(?:点)?/u;
/** A question or a search, not a wish (吗, 怎么, 多少, 哪里; 我想找). */
const ZH_NOT =
  /(?<!好)吗|怎么|怎样|如何|多少|哪里|哪儿|什么时候|为什么|能不能帮我找|面试|结果|审核|办好|申请/u;
/** "When there is X" — the work comes after it. */
const ZH_WHEN =
  /(?:有(?!了|招|新|空缺|的话|名额|活了|岗位了|人招)|出了|来了|招聘(?=[^的了\s，,])|招(?!人|的话|了|聘)|需要)/gu;
/** "X … when it is there" — the work comes before it (电工有招的话, 会计岗位出来了). */
const ZH_THERE =
  /(?:岗位|工作|活儿|活|职位|的岗)?(?:有招聘|有招|有了|有的话|有新|有空缺|有活|有岗位|有名额|有人招|招人|要人|开招|一出来|出来了|出来|空缺|有)/u;
/** What may follow the work: 的岗位, 工作, 活儿, 职位, 招聘, 方面的… */
const ZH_TAIL =
  /(?:方面|相关|之类|这类|类|一类)?的?(?:岗位|工作|活儿|活|岗|职位|招聘|招工|机会|的人|人员)?(?:信息|消息)?(?:的话|时候|时|了)?[，,。！!、\s]*(?:麻烦|请|就|务必|记得|一定|可以|都)?(?:给我|跟我|和我|帮我)?$/u;
const ZH_HEAD =
  /^(?:以后|今后|将来|麻烦|请|帮我|给我|你们|您|一下|如果|要是|万一|新的|新|什么|任何|招|搞|做|干|当|的|那边|这边)+/u;

function chineseWork(text: string): (string | null)[] {
  if (ZH_NOT.test(text)) return [];
  const watch = ZH_WATCH.exec(text);
  const tell = ZH_TELL.exec(text);
  if (!tell && !watch) return [];
  const out: (string | null)[] = [];
  // 帮我订阅一下收银员的岗位 / 帮我盯着绿化工: what follows, up to "…有了告诉我".
  if (watch && (!tell || watch.index < tell.index)) {
    const after = text.slice(watch.index + watch[0].length, tell?.index);
    out.push(cut(after.split(/[，,。！!\s]|有/u)[0] ?? ''));
  }
  const before = text.slice(0, tell?.index ?? text.length);
  // "有 / 招 X … tell me": the last such word opens the work.
  let start = -1;
  for (const m of before.matchAll(ZH_WHEN)) start = m.index + m[0].length;
  if (start >= 0) out.push(cut(before.slice(start)));
  // "X 有招的话 … tell me": the work is before the first "there is".
  const there = ZH_THERE.exec(before);
  if (there) out.push(cut(before.slice(0, there.index)));
  // "… 通知我 钢筋工也行": another kind of work after it.
  const also = tell ? /([^\s，,。！!]{1,10})也(?:行|可以)/u.exec(text.slice(tell.index)) : null;
  if (also?.[1]) return out.map((w) => (w ? `${w} ${also[1]}` : w));
  return out;
}

/** The work alone: no "的岗位", "麻烦", "以后" around it. */
function cut(text: string): string | null {
  let work = text.replace(ZH_TAIL, '').replace(ZH_HEAD, '');
  work = work.replace(ZH_TAIL, '').trim();
  return work.length > 0 && work.length <= 40 ? work : null;
}

// ------------------------------------------------------------------------------------ Tibetan

/** "Tell me": ང་ལ་ (or ངར་) then a word of telling or sending. */
const BO_TELL =
  /(?:ང་ལ་|ངར་|ངའི་|ང་ལ་མྱུར་དུ་)(?:ཁ་པར་(?:ལ་)?)?(?:བརྡ|ཤོད|ལབ|གསུངས|གསལ|སྐད|འཕྲིན|བསྐུར|སྐུར|ཐོང|གཏོང|བརྡ་སྐུལ)/u;
/** A question about something else (an application's result, an interview): not a wish. */
const BO_NOT = /ཞུ་ཡིག|གྲུབ་འབྲས|ངོ་འཕྲད|(?:ངམ|དམ|གམ|བམ|ནམ)[།\s]*$/u;
/** "If there is / when it comes": ཡོད་ན, ཡོད་ཚེ, བྱུང་ན, ཐོན་ན… */
const BO_WHEN = /(?:ཡོད་|བྱུང་|ཐོན་|འབྱུང་|ཡོང་|གདམ་བསྡུ་བྱེད་|འདེམས་སྒྲུག་བྱེད་)(?:ན|ཚེ|ཚེ་ན|ཚད|དུས|རྗེས|མ་ཐག)/u;
const BO_WHEN_ALL = new RegExp(BO_WHEN.source, 'gu');
/** "Work / a post" after the work's name, with its genitive (གི་, ཀྱི་, ཡི་, འི་). */
const BO_JOB = /(?:གི་|ཀྱི་|གྱི་|ཡི་|འི་|་)?(?:ལས་ཀ|ལས་གནས|ལས་འགན|ཁྱབ་བསྒྲགས|གསལ་བསྒྲགས|མི་དགོས་པ|ལས་མི|དགོས་ཀྱི)/u;
const BO_HEAD = /^(?:གལ་ཏེ་|རྗེས་སུ་|ཕྱིན་ཆད་|ད་ནས་|སླེབས་ཆ་|ལས་གནས་|མི་སྣ་|ང་ཚོར་|ང་ལ་)+/u;

function tibetanWork(text: string): (string | null)[] {
  if (BO_NOT.test(text)) return [];
  const tell = BO_TELL.exec(text);
  if (!tell) return [];
  // The condition before "tell me" (…ཡོད་ན་ང་ལ་ཤོད), or after it (ང་ལ་ཤོད། …བྱུང་ན།).
  const before = text.slice(0, tell.index);
  const after = text.slice(tell.index + tell[0].length);
  const out: (string | null)[] = [];
  for (const part of [before, after]) {
    // The last condition ("ང་སློབ་ཆེན་ཐོན་མ་ཐག་ཡིན། …ཐོན་ཚེ་": I just graduated; when it comes out).
    const when = [...part.matchAll(BO_WHEN_ALL)].at(-1);
    if (!when) continue;
    // The last sentence before the condition ("ང་ལོ་ང་གསུམ་ཡིན། གཙང་སྦྲའི་ལས་ཀ…").
    const head = (
      part
        .slice(0, when.index)
        .split(/\u0F0D/u)
        .at(-1) ?? ''
    ).trim();
    const job = BO_JOB.exec(head);
    // The work is what comes before "work" (ཁ་ལོ་བའི་ལས་ཀ → ཁ་ལོ་བ), or all of it (ཁ་ལོ་བ་ཡོད་ན).
    let work = (job ? head.slice(0, job.index) : head).replace(/[\u0F0B\s]+$/u, '');
    work = work
      .replace(/་?(?:དགོས་པ|གདམ་བསྡུ|མི་འདེམས)(?:འི)?$/u, '')
      .replace(/(?<=[\u0F40-\u0FBC])འི$/u, '')
      .replace(BO_HEAD, '');
    out.push(work.length > 0 && work.length <= 60 ? work : null);
  }
  return out;
}

/** Words that say what kind of job is good, not what work it is ("有好工作通知我"). */
const VAGUE =
  /^(?:好|合适|适合我?|新|不错|高薪|轻松|附近|本地|稳定|正式|长期|临时|其他|别的|好的|我能做|啥|什么|啥子|哪些|任何|所有|都行|啥都行|什么都行|随便)$/u;

/**
 * A part of the wish that only asks or prefers ("帮我留意一下", "最好在堆龙": the district is read
 * from the whole text): no keyword. A reviewer's subscription was "开车、帮我留意一下、最好在堆龙".
 */
function asksOnly(part: string): boolean {
  if (workNamesIn(part).length > 0) return false;
  return (
    ZH_TELL.test(part) || ZH_WATCH.test(part) || PREFER.test(part) || districtIn(part) !== null
  );
}
const PREFER = /^(?:最好|希望|尽量|要是|如果|能)(?:是|在)?/u;

/** Two kinds of work in one wish: 保安和司机, 保安或者门卫, ཁ་ལོ་བ་དང་ཉེན་སྲུང་བ. */
const ALSO = /和|或者|或是|或|还有|以及|跟|、|，|,|\s+|་དང་|་ཡང་ན་|་ཡང་ན/u;
