// The campaign pages' script (/admin/campaigns/new and /admin/campaigns/:id), served as
// /admin/assets/campaigns.js under `script-src 'self'`. Its text and data come from the page's
// <script type="application/json" id="page-data">; everything from a campaign or the API is
// written with textContent, never as HTML. It talks to the admin API with the session cookie
// (same origin: the API checks Origin on every change).
'use strict';

(() => {
  // adminPage: public/admin-common.js, at the top of this very file.
  if (!adminPage) return;
  const { data, lang, t, el, api, say, lhasaTime } = adminPage;

  /** An API validation message in the page's language (the API's own words kept beside it). */
  function detailText(message) {
    const m = String(message || '');
    const long = /too long for one (\w+) message/.exec(m);
    if (long) return t('error.tooLong', { channel: t(`channel.${long[1]}`) });
    if (/^required$|expected string, received undefined|too_small|at least 1/i.test(m))
      return t('error.required');
    if (m === 'expected Tibetan text') return t('error.notTibetan');
    if (m === 'expected Chinese text') return t('error.notChinese');
    if (m === 'in the past') return t('error.past');
    return t('error.invalid');
  }

  /** The usual answer to a failed call, for the statuses every action shares. */
  function failure(res) {
    if (res.status === 0) return t('error.network');
    if (res.status === 403) return t('error.forbidden');
    if (res.status === 409) return t('error.conflict');
    if (res.status === 503) return t('error.unavailable');
    return t('error.failed', { status: res.status });
  }

  if (data.page === 'new') newCampaign();
  if (data.page === 'show') showCampaign();

  // ---- the form ----------------------------------------------------------------------------
  function newCampaign() {
    const form = document.getElementById('campaign-form');
    const formError = document.getElementById('form-error');
    const submit = document.getElementById('submit');
    const field = (name) => form.elements.namedItem(name);
    const checked = (name) =>
      [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);
    const commaList = (name) =>
      field(name)
        .value.split(/[,，、]/)
        .map((s) => s.trim())
        .filter(Boolean);

    function body() {
      const audience = {};
      const lists = {
        languages: checked('languages'),
        channels: checked('channels'),
        districts: checked('districts'),
        categories: commaList('categories'),
        tags: commaList('tags'),
      };
      for (const [k, v] of Object.entries(lists)) if (v.length) audience[k] = v;
      const out = {
        title: field('title').value,
        message: { 'zh-CN': field('message.zh-CN').value, bo: field('message.bo').value },
        audience,
      };
      const later = form.querySelector('input[name="when"]:checked').value === 'later';
      // The form's date and time are Lhasa's (UTC+8 all year).
      if (later && field('sendAt').value) out.sendAt = `${field('sendAt').value}:00+08:00`;
      return { out, laterWithoutTime: later && !field('sendAt').value };
    }

    function clearErrors() {
      formError.hidden = true;
      formError.textContent = '';
      for (const p of form.querySelectorAll('.field-error')) {
        p.hidden = true;
        p.textContent = '';
      }
      for (const i of form.querySelectorAll('[aria-invalid]')) i.removeAttribute('aria-invalid');
    }

    /** `audience.districts.0` → the districts' error line; unknown paths go to the form's. */
    function showError(path, message) {
      const key = String(path || '').replace(/\.\d+$/, '');
      const target = form.querySelector(`.field-error[data-error-for="${CSS.escape(key)}"]`);
      const text = detailText(message);
      if (!target) {
        formError.hidden = false;
        formError.textContent = `${formError.textContent} ${text}`.trim();
        return;
      }
      if (!target.hidden) target.appendChild(document.createTextNode(' · '));
      target.hidden = false;
      target.appendChild(el('span', {}, text));
      target.appendChild(document.createTextNode(' '));
      target.appendChild(el('span', { class: 'raw', lang: 'en' }, `(${message})`));
      const input = target.parentElement.querySelector('input:not([type=checkbox]), textarea');
      if (input) input.setAttribute('aria-invalid', 'true');
    }

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearErrors();
      const { out, laterWithoutTime } = body();
      if (laterWithoutTime) {
        showError('sendAt', 'required');
        return;
      }
      submit.disabled = true;
      submit.textContent = t('saving');
      const res = await api('POST', '/api/admin/campaigns', out);
      submit.disabled = false;
      submit.textContent = t('submit');
      if (res.status === 201 && res.body.id) {
        window.location.assign(
          `/admin/campaigns/${encodeURIComponent(res.body.id)}?lang=${encodeURIComponent(lang)}`,
        );
        return;
      }
      formError.hidden = false;
      formError.textContent = res.status === 400 ? t('error.form') : failure(res);
      for (const d of Array.isArray(res.body.details) ? res.body.details : [])
        showError(d.path, d.message);
      const first = form.querySelector('.field-error:not([hidden])');
      (first || formError).scrollIntoView({ block: 'center' });
    });

    // The live preview: how each channel shows each language, and what would not fit.
    const items = document.getElementById('preview-items');
    const problems = document.getElementById('preview-problems');
    const empty = document.getElementById('preview-empty');
    let timer = 0;
    let asked = 0;
    async function preview() {
      const message = { 'zh-CN': field('message.zh-CN').value, bo: field('message.bo').value };
      const seq = ++asked;
      if (!message['zh-CN'].trim() && !message.bo.trim()) {
        items.replaceChildren();
        problems.replaceChildren();
        empty.textContent = t('preview.empty');
        empty.hidden = false;
        return;
      }
      const channels = checked('channels');
      const res = await api('POST', '/api/admin/campaigns/preview', {
        message,
        ...(channels.length ? { channels } : {}),
      });
      if (seq !== asked) return; // a newer preview is on its way
      if (res.status !== 200) {
        empty.textContent = t('preview.failed');
        empty.hidden = false;
        return;
      }
      empty.hidden = true;
      items.replaceChildren();
      for (const item of res.body.channels || []) {
        if (channels.length && !channels.includes(item.channel)) continue;
        const text = item.lang === 'bo' ? message.bo : message['zh-CN'];
        if (!text.trim()) continue;
        const box = el('section', {
          class: 'preview-item',
          'data-channel': item.channel,
          'data-lang': item.lang,
        });
        box.appendChild(
          el(
            'h3',
            {},
            `${t(`channel.${item.channel}`)} · ${t(`lang.${item.lang}`)} · ${t('preview.parts', { n: item.parts })}`,
          ),
        );
        for (const part of item.texts || [])
          box.appendChild(el('div', { class: 'bubble', lang: item.lang }, part));
        if (item.parts > 1)
          box.appendChild(
            el('p', { class: 'warn', role: 'alert' }, t('preview.tooLong', { n: item.parts })),
          );
        items.appendChild(box);
      }
      problems.replaceChildren();
      for (const p of res.body.problems || [])
        problems.appendChild(
          el(
            'li',
            { 'data-path': p.path },
            `${t(p.path === 'message.bo' ? 'field.messageBo' : 'field.messageZh')}: ${detailText(p.message)}`,
          ),
        );
    }
    const later = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        preview().catch(() => undefined);
      }, 400);
    };
    for (const name of ['message.zh-CN', 'message.bo'])
      field(name).addEventListener('input', later);
    for (const box of form.querySelectorAll('input[name="channels"]'))
      box.addEventListener('change', later);
    if (field('message.zh-CN').value || field('message.bo').value) later();
  }

  // ---- one campaign ------------------------------------------------------------------------
  function showCampaign() {
    const id = data.campaign.id;
    const live = data.live || [];
    const cancellable = data.cancellable || [];
    const $ = (elId) => document.getElementById(elId);
    let polling = 0;

    function render(c) {
      const s = c.stats;
      const status = $('c-status');
      status.dataset.status = c.status;
      status.textContent = t(`status.${c.status}`);
      const done = s.sent + s.failed + s.skipped;
      const total = s.recipients === null ? done + s.pending + s.cancelled : s.recipients;
      const percent =
        total > 0
          ? Math.min(100, Math.floor((done * 100) / total))
          : c.status === 'completed'
            ? 100
            : 0;
      $('c-progress').value = percent;
      $('c-progress').textContent = `${percent}%`;
      $('c-progress-text').textContent = `${percent}%`;
      $('stat-recipients').textContent = s.recipients === null ? '—' : String(s.recipients);
      for (const k of ['sent', 'failed', 'skipped', 'pending', 'cancelled'])
        $(`stat-${k}`).textContent = String(s[k]);
      $('stat-rate').textContent = t('stats.rateValue', { n: s.rate });
      $('stat-eta').textContent =
        s.etaSeconds === null ? '—' : t('stats.etaValue', { n: s.etaSeconds });
      $('c-approved-by').textContent = c.approvedBy || '—';
      if ($('approve')) $('approve').hidden = c.status !== 'pending_approval';
      if ($('cancel')) $('cancel').hidden = !cancellable.includes(c.status);
      document.documentElement.dataset.status = c.status;
      schedule(c.status);
    }

    /** Every 2 s while the numbers can still move; never once it is over. */
    function schedule(status) {
      clearTimeout(polling);
      polling = 0;
      if (!live.includes(status)) return;
      polling = setTimeout(async () => {
        const res = await api('GET', `/api/admin/campaigns/${encodeURIComponent(id)}`);
        if (res.status === 200) render(res.body);
        else schedule(status); // keep trying through a blip
      }, 2000);
    }

    const result = $('action-result');
    async function act(button, path, okText) {
      button.disabled = true;
      const res = await api('POST', `/api/admin/campaigns/${encodeURIComponent(id)}/${path}`);
      button.disabled = false;
      if (res.status === 200) {
        say(result, 'ok', okText);
        render(res.body);
        return;
      }
      const message = res.body && res.body.message;
      const text =
        res.status === 403 && /second administrator/.test(String(message))
          ? t('error.secondAdmin')
          : failure(res);
      say(result, 'error', text, message);
    }
    if ($('approve'))
      $('approve').addEventListener('click', () => {
        act($('approve'), 'approve', t('action.approved')).catch(() => undefined);
      });
    if ($('cancel'))
      $('cancel').addEventListener('click', () => {
        if (!window.confirm(t('action.confirmCancel'))) return;
        act($('cancel'), 'cancel', t('action.cancelled')).catch(() => undefined);
      });

    const testForm = $('test-form');
    if (testForm)
      testForm.addEventListener('submit', async (event) => {
        event.preventDefault();
        const out = $('test-result');
        const send = $('test-send');
        send.disabled = true;
        const res = await api('POST', `/api/admin/campaigns/${encodeURIComponent(id)}/test`, {
          channel: $('t-channel').value,
          address: $('t-address').value,
        });
        send.disabled = false;
        if (res.status === 200) {
          say(out, 'ok', t('test.sent', { n: res.body.sent }));
          return;
        }
        const details = Array.isArray(res.body.details) ? res.body.details : [];
        if (res.status === 400 && details.length)
          say(
            out,
            'error',
            details.map((d) => detailText(d.message)).join(' · '),
            details.map((d) => `${d.path}: ${d.message}`).join('; '),
          );
        else say(out, 'error', failure(res), res.body.message);
      });

    // The time shown by the server is already Lhasa's; the same on every refresh.
    for (const time of document.querySelectorAll('time[datetime]'))
      time.textContent = lhasaTime(time.getAttribute('datetime')) || time.textContent;
    render(data.campaign);
  }
})();
