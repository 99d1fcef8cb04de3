import { readFileSync } from 'node:fs';
import { z } from 'zod';

const perLang = z.object({
  'zh-CN': z.array(z.string()).default([]),
  bo: z.array(z.string()).default([]),
});

/** The glossary (locales/glossary.json): Tibetan terms and command keywords in one reviewable file. */
export const glossarySchema = z.object({
  keywords: z.record(z.string(), perLang),
  /** Typing a language's name switches to it (中文, བོད་ཡིག …). */
  languageNames: perLang.default({ 'zh-CN': [], bo: [] }),
  terms: z
    .array(z.object({ zh: z.string(), bo: z.string(), status: z.string() }).loose())
    .default([]),
  districts: z.array(z.object({ zh: z.string(), bo: z.string() }).loose()).default([]),
  /**
   * Typed answers to a yes/no question (要, 好的, དགོས / 不用, མི་དགོས): they pick its button.
   * `ack` (好的, 知道了, ཧ་གོ་སོང) elsewhere is an acknowledgement, answered as one.
   */
  answers: z
    .object({
      yes: perLang,
      no: perLang,
      ack: perLang.default({ 'zh-CN': [], bo: [] }),
      /** "I don't know", "skip" (不知道, ང་མི་ཤེས): picks a `#skip` button (the practice's model answer). */
      skip: perLang.default({ 'zh-CN': [], bo: [] }),
      /** A score typed in words at the rating question (很满意 → 5, ཡག་པོ་འདུག → 4), by score. */
      rating: z.partialRecord(z.enum(['1', '2', '3', '4', '5']), perLang).default({}),
      /** Liking typed at the self-assessment (还行吧 → 一般, དགའ → 喜欢), by its button. */
      scale: z.partialRecord(z.enum(['yes', 'some', 'no']), perLang).default({}),
      /** "I'm fine" (我没事, ང་སྐྱིད་པོ་ཡོད) said while a counsellor is awaited after distress. */
      fine: perLang.default({ 'zh-CN': [], bo: [] }),
      /** "Delete it" (删吧, བསུབ): a yes only where erasing the person's data is asked. */
      erase: perLang.default({ 'zh-CN': [], bo: [] }),
    })
    .default({
      yes: { 'zh-CN': [], bo: [] },
      no: { 'zh-CN': [], bo: [] },
      ack: { 'zh-CN': [], bo: [] },
      skip: { 'zh-CN': [], bo: [] },
      rating: {},
      scale: {},
      fine: { 'zh-CN': [], bo: [] },
      erase: { 'zh-CN': [], bo: [] },
    }),
});

export type Glossary = z.infer<typeof glossarySchema>;

export function readGlossary(path: string): Glossary {
  return glossarySchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}
