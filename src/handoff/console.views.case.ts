import { esc, langAttr, lhasaTime } from '../http/page-shell.js';
import type { Lang } from '../messaging/lang.js';
import type { caseView } from './case.routes.js';

/** A case as the admin API lists it. */
export type CaseItem = ReturnType<typeof caseView>;
export interface ThreadLine {
  from: 'person' | 'assistant' | 'counsellor';
  text: string;
  at: string;
  mediaUrl: string | null;
  deliveredAt: string | null;
}
export interface TranscriptLine {
  from: 'person' | 'assistant' | 'counsellor';
  text: string;
  at: string;
  channel: string;
  mediaUrl?: string;
}
/** A case as `GET /api/admin/cases/:id` shows it: the case, its thread and the transcript. */
export type CaseDetail = CaseItem & {
  thread: ThreadLine[];
  transcript: TranscriptLine[];
  /** What the person consented to share (GET /api/admin/cases/:id `profile`). */
  profile?: Record<string, unknown>;
  /** The person's consented profile as lines in the page's language (the intake, the assessment). */
  profileLines?: string[];
};

/** A console string of the page's language, with its {{placeholders}} filled (not escaped). */
export type Text = (key: string, params?: Record<string, string | number>) => string;

/** Whether a case is a distress case: the reason, or distress seen in the conversation. */
export const isDistress = (c: Pick<CaseItem, 'reason' | 'summary'>) =>
  c.reason === 'distress' || Boolean(c.summary?.distress);

/** Minutes waited as text: `12 分钟`, `1 小时 5 分钟`; answered cases: `已回复`. */
export function waitedText(text: Text, minutes: number | null): string {
  if (minutes === null) return text('waited.responded');
  if (minutes < 60) return text('waited.minutes', { n: minutes });
  return text('waited.hours', { h: Math.floor(minutes / 60), m: minutes % 60 });
}

/** A link only to this site or the web (never `javascript:` and the like). */
export function safeUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  return /^https?:\/\//i.test(url) || /^\/(?![/\\])/.test(url) ? url : null;
}

const badge = (cls: string, label: string, id?: string) =>
  `<span class="flag ${cls}"${id ? ` id="${id}"` : ''}>${esc(label)}</span>`;

/** The distress marker and the escalation marker of a case (empty when neither). */
export function flagsHtml(text: Text, c: CaseItem): string {
  return [
    isDistress(c) ? badge('distress', `⚠ ${text('distress')}`) : '',
    c.escalatedAt ? badge('escalated', text('escalated')) : '',
  ]
    .filter(Boolean)
    .join(' ');
}

function lineHtml(text: Text, line: ThreadLine | TranscriptLine): string {
  const url = safeUrl(line.mediaUrl);
  const media = url
    ? `\n<a class="media" href="${esc(url)}" target="_blank" rel="noopener noreferrer">${esc(text('media'))}</a>`
    : '';
  const pending =
    'deliveredAt' in line && line.from === 'counsellor' && !line.deliveredAt
      ? ` <span class="pending">${esc(text('thread.pending'))}</span>`
      : '';
  return `<li class="line" data-from="${esc(line.from)}">
<div class="meta"><span class="who">${esc(text(`from.${line.from}`))}</span> <time datetime="${esc(line.at)}">${lhasaTime(line.at)}</time>${pending}</div>
<div class="text"${langAttr(line.text)}>${esc(line.text)}</div>${media}
</li>`;
}

function linesHtml(text: Text, id: string, lines: (ThreadLine | TranscriptLine)[], empty: string) {
  return `<ol class="lines" id="${id}">
${lines.map((l) => lineHtml(text, l)).join('\n')}
</ol>
<p class="muted" id="${id}-empty"${lines.length ? ' hidden' : ''}>${esc(text(empty))}</p>`;
}

function followupsHtml(text: Text, c: CaseItem): string {
  const state = (f: CaseItem['followups'][number]) =>
    f.answeredAt ? 'answered' : f.sentAt ? 'sent' : 'pending';
  const items = c.followups
    .map(
      (f) =>
        `<li data-state="${state(f)}"><time datetime="${esc(f.at)}">${lhasaTime(f.at)}</time> · ${esc(text(`followup.${state(f)}`))}${f.note ? ` · <span${langAttr(f.note)}>${esc(f.note)}</span>` : ''}</li>`,
    )
    .join('\n');
  return `<ul id="followups">
${items}
</ul>
<p class="muted" id="followups-empty"${c.followups.length ? ' hidden' : ''}>${esc(text('followup.none'))}</p>`;
}

/** What the person consented to share (nothing before the intake): one line a field. */
function profileHtml(text: Text, lines: string[]): string {
  if (lines.length === 0) return '';
  const items = lines.map((l) => `<li${langAttr(l)}>${esc(l)}</li>`).join('\n');
  return `<h3>${esc(text('summary.profile'))}</h3>\n<ul class="profile" id="s-profile">\n${items}\n</ul>`;
}

/** The case page's body: the summary first, then the thread, the reply, the transcript, the actions. */
export function caseBody(text: Text, lang: Lang, c: CaseDetail): string {
  const t = (key: string) => esc(text(key));
  const s = c.summary;
  const closed = c.status === 'closed';
  const questions = s.unansweredQuestions.map((q) => `<li${langAttr(q)}>${esc(q)}</li>`).join('\n');
  const topics = s.topics.length
    ? s.topics.map((topic) => `<span class="topic">${esc(topic)}</span>`).join(' ')
    : t('summary.none');
  const flags = flagsHtml(text, c);
  return `<h1>${t(`reason.${c.reason}`)} <span class="status" id="c-status" data-status="${esc(c.status)}">${t(`status.${c.status}`)}</span></h1>
<p class="flags" id="c-flags"${flags ? '' : ' hidden'}>${flags}</p>
<dl class="facts">
<dt>${t('field.counsellor')}</dt><dd id="c-counsellor">${esc(c.counsellor?.name ?? text('unassigned'))}</dd>
<dt>${t('field.openedAt')}</dt><dd><time datetime="${esc(c.openedAt)}">${lhasaTime(c.openedAt)}</time></dd>
<dt>${t('field.waiting')}</dt><dd id="c-waiting">${esc(waitedText(text, c.waitingMinutes))}</dd>
</dl>
<section class="box" id="summary">
<h2>${t('summary.title')}</h2>
<dl class="facts">
<dt>${t('summary.topics')}</dt><dd id="s-topics">${topics}</dd>
<dt>${t('summary.answered')}</dt><dd id="s-answered">${s.answered}</dd>
<dt>${t('summary.unanswered')}</dt><dd id="s-unanswered">${s.unanswered}</dd>
<dt>${t('summary.distress')}</dt><dd id="s-distress">${s.distress ? badge('distress', `⚠ ${text('summary.yes')}`) : t('summary.no')}</dd>
<dt>${t('field.language')}</dt><dd id="s-language">${t(`lang.${s.language}`)}</dd>
<dt>${t('field.channel')}</dt><dd id="s-channel">${t(`channel.${s.channel}`)}</dd>
<dt>${t('summary.messages')}</dt><dd>${s.messages}</dd>
</dl>
<ol class="questions" id="s-questions"${questions ? '' : ' hidden'}>
${questions}
</ol>
${profileHtml(text, c.profileLines ?? [])}
</section>
<section class="box" id="thread-box">
<h2>${t('thread.title')}</h2>
${linesHtml(text, 'thread', c.thread, 'thread.empty')}
<form id="reply-form" novalidate>
<label for="r-text">${t('reply.label')}</label>
<textarea id="r-text" name="text" rows="4" maxlength="4000" lang="${c.language}"></textarea>
<button type="submit" id="r-send">${t('reply.send')}</button>
<p id="reply-result" role="status"></p>
</form>
</section>
<section class="box" id="transcript-box">
<h2>${t('transcript.title')}</h2>
<div class="scroll">
${linesHtml(text, 'transcript', c.transcript, 'transcript.empty')}
</div>
</section>
<section class="box" id="followup-box">
<h2>${t('followup.title')}</h2>
<form id="followup-form" novalidate>
<label for="fu-at">${t('followup.at')}</label>
<input id="fu-at" name="at" type="datetime-local">
<label for="fu-note">${t('followup.note')}</label>
<textarea id="fu-note" name="note" rows="2" maxlength="1000" lang="${lang}"></textarea>
<button type="submit" id="fu-submit">${t('followup.submit')}</button>
<p id="followup-result" role="status"></p>
</form>
<h3>${t('followup.list')}</h3>
${followupsHtml(text, c)}
</section>
<section class="box" id="close-box">
<button type="button" id="close-case" class="danger"${closed ? ' hidden' : ''}>${t('close.button')}</button>
<p id="close-result" role="status"></p>
</section>`;
}
