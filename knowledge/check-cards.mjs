// Validates knowledge/cards/*.json: shape, ids, topics, Tibetan (no Han, hunspell-bo syllables).
// Usage: node knowledge/check-cards.mjs
import { readdirSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'cards');
const TOPICS = ['difficulty-identification', 'unemployment-registration', 'employment-registration',
  'unemployment-insurance', 'public-welfare-jobs', 'social-insurance-subsidy', 'training-subsidy',
  'startup-loan', 'startup-subsidy', 'graduate-support', 'disability-employment',
  'zero-employment-family', 'labor-rights', 'assistance-campaigns', 'service-locations',
  'interview-prep', 'resume-writing', 'career-planning', 'self-assessment', 'job-search',
  'training-programs', 'psychological-support', 'job-alerts', 'human-counsellor', 'complaint'];
const FLOWS = ['interview:start', 'interview:practice', 'cv:start', 'career:start', 'training:start', 'main:menu'];
const KEYS = ['id', 'topic', 'region', 'reviewedAt', 'effectiveFrom', 'source', 'title', 'short', 'details', 'where', 'keywords', 'flow'];
const TEXT = ['source', 'title', 'short', 'details', 'where'];
// Han characters and Chinese punctuation; 《》 (book-title marks) are used in Tibetan typesetting too, so they are allowed.
const HAN = /[\u3400-\u9fff\uf900-\ufaff\uff00-\uffef\u3001\u3002\u300c-\u3011]/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const errors = [];
const err = (f, m) => errors.push(`${f}: ${m}`);
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
const ids = new Set();
const perTopic = Object.fromEntries(TOPICS.map((t) => [t, 0]));
const boTexts = [];
const kwOwners = { 'zh-CN': new Map(), bo: new Map() };

for (const f of files) {
  let c;
  try { c = JSON.parse(readFileSync(join(dir, f), 'utf8')); } catch (e) { err(f, `bad JSON: ${e.message}`); continue; }
  for (const k of Object.keys(c)) if (!KEYS.includes(k)) err(f, `unknown key ${k}`);
  if (typeof c.id !== 'string' || !/^[a-z0-9-]+$/.test(c.id)) err(f, 'bad id');
  if (`${c.id}.json` !== f) err(f, 'id does not match file name');
  if (ids.has(c.id)) err(f, 'duplicate id'); ids.add(c.id);
  if (!TOPICS.includes(c.topic)) err(f, `bad topic ${c.topic}`); else perTopic[c.topic]++;
  if (!['national', 'tibet', 'lhasa'].includes(c.region)) err(f, 'bad region');
  if (!DATE.test(c.reviewedAt ?? '')) err(f, 'bad reviewedAt');
  if ('effectiveFrom' in c && !DATE.test(c.effectiveFrom)) err(f, 'bad effectiveFrom');
  if ('flow' in c && !FLOWS.includes(c.flow)) err(f, `unknown flow ${c.flow}`);
  for (const k of TEXT) {
    const v = c[k];
    if (!v || typeof v !== 'object') { err(f, `missing ${k}`); continue; }
    for (const l of Object.keys(v)) if (!['zh-CN', 'bo'].includes(l)) err(f, `${k}: unknown language ${l}`);
    for (const l of ['zh-CN', 'bo']) if (typeof v[l] !== 'string' || !v[l].trim()) err(f, `${k}.${l} empty`);
    if (typeof v.bo === 'string') {
      if (HAN.test(v.bo)) err(f, `${k}.bo contains Han/CJK punctuation: ${v.bo.match(HAN)[0]}`);
      if (!/[\u0F40-\u0F6C]/.test(v.bo)) err(f, `${k}.bo has no Tibetan`);
      boTexts.push([f, v.bo]);
    }
    if (typeof v['zh-CN'] === 'string' && /[\u0F00-\u0FFF]/.test(v['zh-CN'])) err(f, `${k}.zh-CN contains Tibetan`);
  }
  if (c.short?.['zh-CN']?.length > 160) err(f, `short.zh-CN too long (${c.short['zh-CN'].length})`);
  const kw = c.keywords;
  if (!kw || typeof kw !== 'object') err(f, 'missing keywords');
  else for (const l of ['zh-CN', 'bo']) {
    const a = kw[l];
    if (!Array.isArray(a)) { err(f, `keywords.${l} not an array`); continue; }
    if (a.length < 10 || a.length > 30) err(f, `keywords.${l}: ${a.length} (want 10–30)`);
    const seen = new Set();
    for (const w of a) {
      if (typeof w !== 'string' || !w.trim()) { err(f, `keywords.${l}: empty`); continue; }
      if (w !== w.normalize('NFC')) err(f, `keyword not NFC: ${w}`);
      if (seen.has(w)) err(f, `keywords.${l}: duplicate ${w}`); seen.add(w);
      if (l === 'bo') {
        if (HAN.test(w)) err(f, `keywords.bo Han: ${w}`);
        if (/[\u0F0B\u0F0D]$/.test(w)) err(f, `keywords.bo trailing tsheg/shad: ${w}`);
        boTexts.push([f, w]);
      } else if (/[\u0F00-\u0FFF]/.test(w)) err(f, `keywords.zh-CN Tibetan: ${w}`);
      const o = kwOwners[l].get(w) ?? []; o.push(c.id); kwOwners[l].set(w, o);
    }
  }
}
for (const t of TOPICS) if (!perTopic[t]) err('coverage', `no card for topic ${t}`);

// hunspell: prove it can fail, then check every Tibetan run
const hun = (text) => execFileSync('hunspell', ['-i', 'utf-8', '-d', 'bo', '-l'], { input: text, env: { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' } }).toString().split('\n').filter(Boolean);
if (!hun('ཀྐྐ ལསཀ\n').includes('ཀྐྐ')) err('hunspell', 'cannot detect a known-bad syllable; is hunspell-bo installed?');
const runs = (s) => s.match(/[\u0F00-\u0FFF]+/g) ?? [];
for (const [f, s] of boTexts) {
  const bad = hun(runs(s).join('\n') + '\n');
  for (const b of bad) err(f, `hunspell rejects: ${b}`);
}

const shared = [];
for (const l of ['zh-CN', 'bo']) for (const [w, o] of kwOwners[l]) if (o.length > 3) shared.push(`${l} "${w}" on ${o.length} cards`);
console.log(`${files.length} cards`);
for (const t of TOPICS) console.log(`  ${t}: ${perTopic[t]}`);
if (shared.length) console.log('keywords on more than 3 cards (consider making them distinctive):\n  ' + shared.join('\n  '));
if (errors.length) { console.error(errors.join('\n')); console.error(`${errors.length} problem(s)`); process.exit(1); }
console.log('OK');
