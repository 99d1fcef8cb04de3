// The counsellor console's script (/counsellor and /counsellor/cases/:id), served as
// /admin/assets/console.js under `script-src 'self'`. Its text and data come from the page's
// <script type="application/json" id="page-data">; everything a person wrote (anything at all:
// markup, Tibetan, 4,000 characters) is written with textContent, never as HTML. It talks to
// the admin API with the session cookie (same origin: the API checks Origin on every change).
'use strict';

(() => {
  // adminPage: public/admin-common.js, at the top of this very file.
  if (!adminPage) return;
  const { data, lang, t, el, say, lhasaTime } = adminPage;
  const $ = (id) => document.getElementById(id);

  /** Back to the login when the session is gone, then to this very page. */
  function toLogin() {
    const next = window.location.pathname + window.location.search;
    window.location.assign(`/admin/login?next=${encodeURIComponent(next)}`);
  }

  /** The admin API (admin-common.js), and back to the login on a 401. */
  async function api(method, path, body) {
    const res = await adminPage.api(method, path, body);
    if (res.status === 401) toLogin();
    return res;
  }

  /** Why the API refused, in the page's language; the API's own words go beside it. */
  function refusal(res) {
    const details = Array.isArray(res.body.details) ? res.body.details : [];
    const raw = details.length
      ? details.map((d) => `${d.path}: ${d.message}`).join('; ')
      : res.body.message || res.body.error || '';
    if (res.status === 400 && details.length) {
      const m = String(details[0].message || '');
      if (/^required$|too_small|too small|>=\s*1\b/i.test(m)) return [t('error.required'), raw];
      if (/too_big|too big|<=/i.test(m)) return [t('error.tooLong'), raw];
      if (m === 'in the past') return [t('error.past'), raw];
      return [t('error.invalid'), raw];
    }
    if (res.status === 0) return [t('error.network'), ''];
    if (res.status === 403) return [t('error.forbidden'), raw];
    if (res.status === 404) return [t('error.notFound'), raw];
    if (res.status === 503) return [t('error.unavailable'), raw];
    return [t('error.failed', { status: res.status }), raw];
  }

  const waited = (minutes) =>
    minutes === null || minutes === undefined
      ? t('waited.responded')
      : minutes < 60
        ? t('waited.minutes', { n: minutes })
        : t('waited.hours', { h: Math.floor(minutes / 60), m: minutes % 60 });
  /** The language of a person's text by its script (as the server marks it). */
  function scriptLang(text) {
    const bo = (String(text).match(/[\u0F40-\u0FBC]/gu) || []).length;
    const zh = (String(text).match(/\p{Script=Han}/gu) || []).length;
    if (bo === 0 && zh === 0) return null;
    return bo >= zh ? 'bo' : 'zh-CN';
  }
  const safeUrl = (url) =>
    url && (/^https?:\/\//i.test(url) || /^\/(?![/\\])/.test(url)) ? url : null;
  const isDistress = (c) => c.reason === 'distress' || Boolean(c.summary && c.summary.distress);

  /** The distress and escalation markers of a case. */
  function flags(c) {
    const out = [];
    if (isDistress(c)) out.push(el('span', { class: 'flag distress' }, `⚠ ${t('distress')}`));
    if (c.escalatedAt) out.push(el('span', { class: 'flag escalated' }, t('escalated')));
    return out;
  }
  function withSpaces(parent, nodes) {
    nodes.forEach((n, i) => {
      if (i > 0) parent.appendChild(document.createTextNode(' '));
      parent.appendChild(n);
    });
    return parent;
  }

  if (data.page === 'queue') queuePage();
  if (data.page === 'case') casePage();

  // ---- the open cases ------------------------------------------------------------------------
  function queuePage() {
    const form = $('filter');
    const language = $('f-language');
    const mine = $('f-mine');
    const rows = $('case-rows');
    let timer = 0;
    let asked = 0;

    function row(c) {
      const tr = el('tr', { 'data-case-id': c.id });
      if (isDistress(c)) tr.className = 'distress';
      tr.appendChild(el('td', { class: 'waiting' }, waited(c.waitingMinutes)));
      tr.appendChild(el('td', {}, t(`lang.${c.language}`)));
      tr.appendChild(el('td', {}, t(`channel.${c.channel}`)));
      tr.appendChild(el('td', {}, t(`reason.${c.reason}`)));
      tr.appendChild(el('td', {}, c.counsellor ? c.counsellor.name || '' : t('unassigned')));
      tr.appendChild(withSpaces(el('td', { class: 'flags' }), flags(c)));
      const open = el('td');
      const href = `/counsellor/cases/${encodeURIComponent(c.id)}?lang=${encodeURIComponent(lang)}`;
      open.appendChild(el('a', { class: 'open', href }, t('field.open')));
      tr.appendChild(open);
      return tr;
    }

    function render(items) {
      rows.replaceChildren(...items.map(row));
      $('cases').hidden = items.length === 0;
      $('cases-empty').hidden = items.length > 0;
    }

    /** The filter in the address too, so a reload or a shared link shows the same list. */
    function remember() {
      const q = new URLSearchParams({ lang });
      if (language.value) q.set('language', language.value);
      if (mine.checked) q.set('mine', '1');
      window.history.replaceState(null, '', `/counsellor?${q}`);
    }

    async function refresh() {
      clearTimeout(timer);
      const seq = ++asked;
      const q = new URLSearchParams({ status: 'waiting', limit: '100' });
      if (language.value) q.set('lang', language.value);
      if (mine.checked) q.set('mine', '1');
      const res = await api('GET', `/api/admin/cases?${q}`);
      if (seq !== asked) return; // a newer filter's answer is on its way
      $('refresh-error').hidden = res.status === 200;
      if (res.status === 200) render(Array.isArray(res.body.items) ? res.body.items : []);
      // Every 5 s, through blips too.
      timer = setTimeout(() => {
        refresh().catch(() => undefined);
      }, 5000);
    }

    const now = () => {
      remember();
      refresh().catch(() => undefined);
    };
    language.addEventListener('change', now);
    mine.addEventListener('change', now);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      now();
    });
    timer = setTimeout(() => {
      refresh().catch(() => undefined);
    }, 5000);
  }

  // ---- one case ------------------------------------------------------------------------------
  function casePage() {
    const id = data.case.id;
    const path = `/api/admin/cases/${encodeURIComponent(id)}`;
    /** The lines on the page, by a key of their own (the same line twice counts twice). */
    const shown = { thread: new Map(), transcript: new Map() };
    let status = data.case.status;
    let timer = 0;

    function keys(lines) {
      const seen = new Map();
      return lines.map((l) => {
        const base = `${l.from}|${l.at}|${l.text}`;
        const n = seen.get(base) || 0;
        seen.set(base, n + 1);
        return `${base}#${n}`;
      });
    }

    function pendingMark(li, line) {
      const wanted = line.from === 'counsellor' && 'deliveredAt' in line && !line.deliveredAt;
      const mark = li.querySelector('.pending');
      if (wanted && !mark) {
        const meta = li.querySelector('.meta');
        meta.appendChild(document.createTextNode(' '));
        meta.appendChild(el('span', { class: 'pending' }, t('thread.pending')));
      }
      if (!wanted && mark) mark.remove();
    }

    function lineEl(line) {
      const li = el('li', { class: 'line', 'data-from': line.from });
      const meta = el('div', { class: 'meta' });
      meta.appendChild(el('span', { class: 'who' }, t(`from.${line.from}`)));
      meta.appendChild(document.createTextNode(' '));
      meta.appendChild(el('time', { datetime: line.at }, lhasaTime(line.at)));
      li.appendChild(meta);
      const script = scriptLang(line.text);
      li.appendChild(
        el('div', script ? { class: 'text', lang: script } : { class: 'text' }, line.text),
      );
      const url = safeUrl(line.mediaUrl);
      if (url)
        li.appendChild(
          el(
            'a',
            { class: 'media', href: url, target: '_blank', rel: 'noopener noreferrer' },
            t('media'),
          ),
        );
      pendingMark(li, line);
      return li;
    }

    /** New lines appended at the end; those already shown stay as they are (a mark may change). */
    function merge(kind, lines) {
      const list = $(kind);
      const box = list.closest('.scroll');
      const atEnd = box ? box.scrollHeight - box.scrollTop - box.clientHeight < 40 : false;
      let added = false;
      keys(lines).forEach((key, i) => {
        const li = shown[kind].get(key);
        if (li) return pendingMark(li, lines[i]);
        const made = lineEl(lines[i]);
        list.appendChild(made);
        shown[kind].set(key, made);
        added = true;
      });
      $(`${kind}-empty`).hidden = list.children.length > 0;
      if (box && added && atEnd) box.scrollTop = box.scrollHeight;
    }

    function renderFollowups(followups) {
      const list = $('followups');
      list.replaceChildren(
        ...followups.map((f) => {
          const state = f.answeredAt ? 'answered' : f.sentAt ? 'sent' : 'pending';
          const li = el('li', { 'data-state': state });
          li.appendChild(el('time', { datetime: f.at }, lhasaTime(f.at)));
          li.appendChild(document.createTextNode(` · ${t(`followup.${state}`)}`));
          if (f.note) {
            li.appendChild(document.createTextNode(' · '));
            const noteLang = scriptLang(f.note);
            li.appendChild(el('span', noteLang ? { lang: noteLang } : {}, f.note));
          }
          return li;
        }),
      );
      $('followups-empty').hidden = followups.length > 0;
    }

    function render(c) {
      status = c.status;
      const badge = $('c-status');
      badge.dataset.status = c.status;
      badge.textContent = t(`status.${c.status}`);
      const marks = $('c-flags');
      marks.replaceChildren();
      withSpaces(marks, flags(c));
      marks.hidden = marks.childNodes.length === 0;
      $('c-counsellor').textContent = c.counsellor ? c.counsellor.name || '' : t('unassigned');
      $('c-waiting').textContent = waited(c.waitingMinutes);
      $('close-case').hidden = c.status === 'closed';
      document.documentElement.dataset.status = c.status;
      merge('thread', c.thread || []);
      merge('transcript', c.transcript || []);
      renderFollowups(c.followups || []);
    }

    /** Every 3 s while the case is open: the person's new lines appear, the typing stays. */
    function schedule() {
      clearTimeout(timer);
      if (status === 'closed') return;
      timer = setTimeout(() => {
        refresh().catch(() => undefined);
      }, 3000);
    }
    async function refresh() {
      clearTimeout(timer);
      const res = await api('GET', path);
      if (res.status === 200) render(res.body);
      schedule();
    }

    // The lines the server drew, known by the same keys as those the polls bring.
    for (const kind of ['thread', 'transcript']) {
      const items = $(kind).children;
      keys(data.case[kind] || []).forEach((key, i) => {
        if (items[i]) shown[kind].set(key, items[i]);
      });
    }
    const scroll = $('transcript').closest('.scroll');
    if (scroll) scroll.scrollTop = scroll.scrollHeight;

    // ---- reply
    const replyText = $('r-text');
    const send = $('r-send');
    $('reply-form').addEventListener('submit', async (event) => {
      event.preventDefault();
      const text = replyText.value;
      send.disabled = true;
      send.textContent = t('reply.sending');
      const res = await api('POST', `${path}/reply`, { text });
      send.disabled = false;
      send.textContent = t('reply.send');
      if (res.status === 200) {
        // What was sent leaves the box; anything typed meanwhile stays.
        if (replyText.value === text) replyText.value = '';
        say($('reply-result'), 'ok', t('reply.sent'));
        await refresh();
        return;
      }
      const [why, raw] = refusal(res);
      say($('reply-result'), 'error', why, raw);
    });

    // ---- follow-up (the form's date and time are Lhasa's: UTC+8 all year)
    const fuAt = $('fu-at');
    const fuNote = $('fu-note');
    $('followup-form').addEventListener('submit', async (event) => {
      event.preventDefault();
      const out = $('followup-result');
      const local = fuAt.value;
      if (!local) {
        say(out, 'error', t('error.required'));
        return;
      }
      const at = `${local.length === 16 ? `${local}:00` : local}+08:00`;
      const submit = $('fu-submit');
      submit.disabled = true;
      const res = await api('POST', `${path}/followups`, { at, note: fuNote.value });
      submit.disabled = false;
      if (res.status === 201) {
        say(out, 'ok', t('followup.scheduled', { at: lhasaTime(res.body.at || at) }));
        fuAt.value = '';
        fuNote.value = '';
        await refresh();
        return;
      }
      const [why, raw] = refusal(res);
      say(out, 'error', why, raw);
    });

    // ---- close, after a confirm
    const close = $('close-case');
    close.addEventListener('click', async () => {
      if (!window.confirm(t('close.confirm'))) return;
      close.disabled = true;
      const res = await api('POST', `${path}/close`);
      close.disabled = false;
      if (res.status === 200) {
        say($('close-result'), 'ok', res.body.alreadyClosed ? t('close.already') : t('close.done'));
        await refresh();
        return;
      }
      const [why, raw] = refusal(res);
      say($('close-result'), 'error', why, raw);
    });

    schedule();
  }
})();
