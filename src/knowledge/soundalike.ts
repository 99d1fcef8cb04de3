import { pinyin } from 'pinyin-pro';
import lexicon from './lexicon.json' with { type: 'json' };

/**
 * Voice notes and pinyin keyboards write the right sound with the wrong characters: 失业等级 for
 * 失业登记, 社宝 for 社保, 公意性岗位 for 公益性岗位. `soundalike` reads such a run as the term it
 * sounds like (toneless pinyin), for the terms in lexicon.json (soundalike, synonyms, typos).
 */
export function soundalike(text: string): string {
  return text.replace(HAN_RUN, correctRun);
}

const HAN_RUN = /\p{Script=Han}{2,}/gu;
const LONGEST = 6;
const wordSegmenter = new Intl.Segmenter('zh', { granularity: 'word' });

/** Every term people ask about, in its written form. */
const TERMS: ReadonlySet<string> = new Set(
  [
    ...lexicon.soundalike['zh-CN'],
    ...lexicon.synonyms['zh-CN'].flat(),
    ...Object.values(lexicon.typos),
  ].filter((t) => /^\p{Script=Han}{2,}$/u.test(t) && [...t].length <= LONGEST),
);

/** toneless pinyin of a term → the term; a sound two terms share is left out (ambiguous). */
const BY_SOUND: ReadonlyMap<string, string> = (() => {
  const map = new Map<string, string | null>();
  for (const term of TERMS) {
    const key = sound(term);
    const seen = map.get(key);
    map.set(key, seen === undefined || seen === term ? term : null);
  }
  return new Map([...map].filter((e): e is [string, string] => e[1] !== null));
})();

function sound(chars: string): string {
  return pinyin(chars, { toneType: 'none', type: 'array' }).join(' ');
}

function correctRun(run: string): string {
  const chars = [...run];
  const syllables = pinyin(run, { toneType: 'none', type: 'array' });
  // pinyin-pro gives one syllable per character; anything else, leave the run as it is.
  if (syllables.length !== chars.length) return run;
  let out = '';
  for (let i = 0; i < chars.length;) {
    let taken = 0;
    for (let n = Math.min(LONGEST, chars.length - i); n >= 2 && taken === 0; n--) {
      const written = chars.slice(i, i + n).join('');
      if (TERMS.has(written)) {
        taken = n;
        out += written;
        break;
      }
      const term = BY_SOUND.get(syllables.slice(i, i + n).join(' '));
      if (term && !(n === 2 && isWord(written))) {
        taken = n;
        out += term;
      }
    }
    if (taken === 0) {
      out += chars[i];
      taken = 1;
    }
    i += taken;
  }
  return out;
}

/** A two-character word of its own (等级, 事业): not a mishearing of a term. */
function isWord(two: string): boolean {
  const segments = [...wordSegmenter.segment(two)];
  return segments.length === 1;
}
