// What the scripts of the pages with the bar share (campaigns, the counsellor console): the
// page's data and strings, elements with text only, the admin API, result lines, Lhasa's time.
// Not served on its own: pageAssets (src/http/page-kit.ts) puts it before each page family's
// script, in the same file (/admin/assets/campaigns.js, /admin/assets/console.js).
'use strict';

/** The page's kit, or null on a page without page data (such a page loads no script anyway). */
const adminPage = (() => {
  const dataEl = document.getElementById('page-data');
  if (!dataEl) return null;
  const data = JSON.parse(dataEl.textContent || '{}');
  const strings = data.strings || {};
  const lang = data.lang === 'bo' ? 'bo' : 'zh-CN';

  /** A page string with its {{placeholders}} filled. */
  function t(key, params) {
    const text = Object.prototype.hasOwnProperty.call(strings, key) ? strings[key] : key;
    return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (m, k) =>
      params && Object.prototype.hasOwnProperty.call(params, k) ? String(params[k]) : m,
    );
  }

  /** An element with text (never HTML) and attributes. */
  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** A call to the admin API with the session cookie: its status (0: no answer) and JSON body. */
  async function api(method, path, body) {
    const init = { method, credentials: 'same-origin', headers: { accept: 'application/json' } };
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    try {
      const res = await fetch(path, init);
      let json = {};
      try {
        json = await res.json();
      } catch {
        // an empty or non-JSON body
      }
      return { status: res.status, body: json || {} };
    } catch {
      return { status: 0, body: {} };
    }
  }

  /** Writes a result line: a text in the page's language and, when useful, the API's message. */
  function say(target, kind, text, raw) {
    target.replaceChildren();
    target.className = kind;
    target.appendChild(el('span', {}, text));
    if (raw) {
      target.appendChild(document.createTextNode(' '));
      target.appendChild(el('span', { class: 'raw', lang: 'en' }, `(${raw})`));
    }
  }

  /** An ISO instant as Lhasa's wall-clock time (UTC+8 all year): `YYYY-MM-DD HH:mm`. */
  const lhasaTime = (iso) => {
    const ms = Date.parse(iso);
    return Number.isNaN(ms)
      ? ''
      : new Date(ms + 8 * 3600000).toISOString().slice(0, 16).replace('T', ' ');
  };

  return { data, lang, t, el, api, say, lhasaTime };
})();
