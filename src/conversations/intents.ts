import type { InboundInput } from '../messaging/inbound.js';
import type { Lang } from '../messaging/lang.js';
import type { EngineInput } from '../engine/step.js';
import { keywordForm } from '../lib/normalize.js';
import { detectScript } from '../lib/script.js';
import { phraseIntent } from './phrase-intents.js';

/** Commands and keywords (both languages) that work anywhere in a conversation. */
export type Intent =
  | 'start'
  | 'menu'
  | 'language'
  | 'help'
  | 'human'
  | 'complaint'
  | 'subscribe'
  | 'subscriptions'
  | 'unsubscribe'
  | 'stop'
  | 'resume'
  | 'mydata'
  | 'delete'
  | 'link'
  | 'recommend'
  | 'greeting'
  | 'thanks'
  | 'farewell'
  | 'whoami'
  | 'found'
  | 'helpme';

const INTENT_NODE: Record<Exclude<Intent, 'start'>, string> = {
  menu: 'main:menu',
  language: 'language:choose',
  help: 'main:help',
  human: 'main:human',
  complaint: 'main:complaint',
  // (With keywords: `jobs:subscribe`; see `fromIntent`.)
  subscribe: 'jobs:subscribe-ask',
  subscriptions: 'jobs:list',
  unsubscribe: 'jobs:unsubscribe',
  stop: 'main:outreach-stop',
  resume: 'main:outreach-resume',
  mydata: 'privacy:mydata',
  delete: 'privacy:delete',
  link: 'privacy:link',
  recommend: 'jobs:recommend',
  greeting: 'main:welcome-back',
  thanks: 'main:thanks',
  farewell: 'main:bye',
  // "你是谁": the assistant says what it is, as to a greeting.
  whoami: 'main:welcome-back',
  // "我找到工作了": congratulations, and the employment record (consent first).
  found: 'employment:start',
  // "帮帮我", "ང་ལ་རོགས་རམ་དགོས": asked warmly what is wrong (it was "这个我帮不上忙").
  helpme: 'main:help-me',
};

/** Telegram commands (DESIGN.md); small talk (greetings, thanks, goodbyes …) is keywords only. */
export const COMMANDS = [
  'start',
  'menu',
  'language',
  'human',
  'complaint',
  'subscribe',
  'subscriptions',
  'unsubscribe',
  'stop',
  'resume',
  'help',
  'mydata',
  'delete',
  'link',
] as const satisfies readonly Intent[];

/** The glossary's keyword lists: intent → language → keywords. */
export type KeywordTable = Partial<Record<string, Partial<Record<Lang, string[]>>>>;

export interface IntentMatcher {
  /**
   * Maps what the person sent to engine input, resolving commands and keywords; `script`: the
   * text's, when the caller knows it already.
   */
  toEngineInput(input: InboundInput, script?: Lang | null): EngineInput;
  /**
   * A short reply: a yes or no (要, 好的, 不用, དགོས, མི་དགོས — yes and no come before `ack` when a
   * word is both), an acknowledgement (知道了, ཧ་གོ་སོང), "I don't know, skip" (不知道, ང་མི་ཤེས),
   * or null.
   */
  reply(text: string): Reply | null;
  /**
   * "Delete it" (删吧, "嗯 删吧", "འགྲིགས་ བསུབ"): a yes at the erasure's question only — never a
   * consent (a reviewer found "删掉吧" at the intake's consent picked "agree").
   */
  erase(text: string): boolean;
  /** How much the person likes it, typed at a liking scale (还行吧, དགའ): its button's id. */
  scale(text: string): 'yes' | 'some' | 'no' | null;
}

/** The kinds of short reply (glossary `answers`). */
export type Reply = 'yes' | 'no' | 'ack' | 'skip';

/** Keywords that take arguments after them (订阅岗位 保安 司机). */
const WITH_ARGS: ReadonlySet<string> = new Set(['subscribe', 'unsubscribe', 'complaint', 'link']);
/** After these keywords a separator must come ("投诉怎么处理" asks about complaints, it is not one). */
const ARGS_AFTER: Partial<Record<Intent, RegExp>> = {
  // (In Tibetan a shad or a space; a tsheg would join a question: ཞུ་གཏུག་ག་འདྲ་བྱེད.)
  complaint: /^[\s,，、:：\u0F0D]/u,
  // 绑定 123456, 绑定123456 (a code); "绑定银行卡怎么办" is a question.
  // (Tibetan: the tsheg or shad may come between the keyword and the code.)
  link: /^[\s,，、:：\u0F0B\u0F0D]|^[0-9０-９༠-༩]/u,
  // 取消岗位订阅 2, 取消岗位订阅 保安.
  unsubscribe: /^[\s,，、:：\u0F0B\u0F0D]|^[0-9０-９༠-༩]/u,
};

/**
 * Keywords that say what they are ("我要投诉"): what follows needs no separator. (Not the Tibetan
 * ones ending in འདོད: "ཞུ་གཏུག་ཞུ་འདོད་མེད" says "I don't want to complain".)
 */
const SAYS_ITSELF = /^我(?:要|想)/u;

export function createIntentMatcher(
  keywords: KeywordTable,
  languageNames: Partial<Record<Lang, string[]>>,
  answers: Partial<Record<Reply, Partial<Record<Lang, string[]>>>> & {
    scale?: Partial<Record<'yes' | 'some' | 'no', Partial<Record<Lang, string[]>>>>;
    erase?: Partial<Record<Lang, string[]>>;
  } = {},
): IntentMatcher {
  const eraseWords = new Set(
    Object.values(answers.erase ?? {})
      .flat()
      .map(keywordForm)
      .filter(Boolean),
  );
  const scale = new Map<string, 'yes' | 'some' | 'no'>();
  for (const kind of ['yes', 'some', 'no'] as const)
    for (const word of Object.values(answers.scale?.[kind] ?? {}).flat())
      if (keywordForm(word)) scale.set(keywordForm(word), kind);
  const replies = new Map<string, Reply>();
  for (const kind of ['skip', 'ack', 'yes', 'no'] as const)
    for (const word of Object.values(answers[kind] ?? {}).flat())
      if (keywordForm(word)) replies.set(keywordForm(word), kind);
  const exact = new Map<string, Intent>();
  const prefixes: [string, Intent][] = [];
  for (const [intent, byLang] of Object.entries(keywords)) {
    if (!(intent in INTENT_NODE)) continue;
    for (const word of Object.values(byLang ?? {}).flat()) {
      const form = keywordForm(word);
      if (form) exact.set(form, intent as Intent);
      if (form && WITH_ARGS.has(intent)) prefixes.push([form, intent as Intent]);
    }
  }
  // The longest keyword first: "取消岗位订阅 2" is not "订阅…" (the Tibetan unsubscribe keywords
  // begin with the subscribe keyword).
  prefixes.sort((a, b) => b[0].length - a[0].length);
  const langByName = new Map<string, Lang>();
  for (const [lang, names] of Object.entries(languageNames) as [Lang, string[]][]) {
    for (const n of names) langByName.set(keywordForm(n), lang);
  }

  const fromIntent = (intent: Intent, args = ''): EngineInput => {
    if (intent === 'start') return { kind: 'start' };
    // Keywords given: subscribed at once; none: asked for.
    const node = intent === 'subscribe' && args ? 'jobs:subscribe' : INTENT_NODE[intent];
    return { kind: 'goto', node, ...(args ? { args } : {}) };
  };

  /**
   * A keyword with thanks or a greeting beside it ("ལས་ཀ་རྙེད་སོང་ ཐུགས་རྗེ་ཆེ", "你好 人工"): the
   * keyword's intent. The found-a-job news with thanks got a policy card, no congratulations.
   */
  const POLITE: ReadonlySet<Intent> = new Set(['thanks', 'greeting']);
  function besidePleasantries(form: string): Intent | undefined {
    const intents = fewWords(form, 60)?.map((w) => exact.get(w));
    const rest = intents?.filter((i) => !i || !POLITE.has(i));
    return rest?.length === 1 ? rest[0] : undefined;
  }

  return {
    scale: (text) => scale.get(keywordForm(text)) ?? null,
    erase(text) {
      const form = keywordForm(text);
      if (eraseWords.has(form)) return true;
      // "嗯 删吧", "འགྲིགས་ བསུབ": a yes and the word for deleting.
      const words = fewWords(form, 24);
      return (
        !!words &&
        words.some((w) => eraseWords.has(w)) &&
        words.every((w) => eraseWords.has(w) || replies.get(w) === 'yes')
      );
    },
    reply(text) {
      const form = keywordForm(text);
      const whole = replies.get(form);
      if (whole) return whole;
      // "嗯 好的", "对 可以": two or three words, each the same kind of answer.
      const kinds = fewWords(form, 24)?.map((w) => replies.get(w));
      return kinds?.every((k) => k && k === kinds[0]) ? kinds[0]! : null;
    },
    toEngineInput(input, script) {
      switch (input.kind) {
        case 'command': {
          const name = input.name.toLowerCase();
          const command = COMMANDS.find((c) => c === name);
          return command
            ? fromIntent(command, input.args.trim())
            : { kind: 'goto', node: 'main:help' };
        }
        case 'choice':
          return { kind: 'choice', id: input.id };
        case 'media':
          return { kind: 'media' };
        case 'text': {
          const form = keywordForm(input.text);
          const lang = langByName.get(form);
          if (lang) return { kind: 'setLanguage', lang };
          const whole = exact.get(form) ?? phraseIntent(form) ?? besidePleasantries(form);
          if (whole) return fromIntent(whole);
          // 订阅岗位 保安 / 投诉 …: the keyword, then its arguments (cut from the text as written).
          // A complaint needs a separator ("投诉怎么处理" asks about complaints, it is not one).
          // "我要投诉…" says it is a complaint: no separator needed after it.
          const prefixed = prefixes.find(
            ([p, intent]) =>
              form.startsWith(p) &&
              (SAYS_ITSELF.test(p) || (ARGS_AFTER[intent]?.test(form.slice(p.length)) ?? true)),
          );
          if (prefixed) return fromIntent(prefixed[1], argsAfter(input.text, prefixed[0]));
          return {
            kind: 'text',
            text: input.text,
            script: script === undefined ? detectScript(input.text) : script,
          };
        }
      }
    },
  };
}

/** A short message of two or three words ("嗯 好的", "你好 人工"), each in keyword form; else null. */
function fewWords(form: string, maxLength: number): string[] | null {
  if (form.length > maxLength) return null;
  const words = form
    .split(/[\s,，、。！!\u0F0D]+/u)
    .filter(Boolean)
    .map(keywordForm);
  return words.length >= 2 && words.length <= 3 ? words : null;
}

/** The text after a keyword typed at its start (the keyword compared in its keyword form). */
function argsAfter(text: string, keyword: string): string {
  const trimmed = text.trim();
  // The keyword is short: only the first few characters can end it (a long text costs nothing).
  for (let i = 1; i <= Math.min(trimmed.length, keyword.length * 2 + 8); i++)
    if (keywordForm(trimmed.slice(0, i)) === keyword)
      return trimmed
        .slice(i)
        .replace(/^[\s,，、:：\u0F0B\u0F0D]+/u, '')
        .trim();
  return '';
}
