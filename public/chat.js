/* Lamton web chat: vanilla JS, no build step, no external URLs. Written for old in-app browsers
   (WeChat's): no optional chaining, no nullish coalescing. */
(function () {
  'use strict';

  var API = '/api/chat/messages';
  var LANGS = ['zh-CN', 'bo'];
  var TRIES = 3;
  var BACKOFF_MS = [600, 1800];
  var TIMEOUT_MS = 20000;
  var TIBETAN = /[\u0F40-\u0FBC]/;
  var HAN = /[\u3400-\u9FFF\uF900-\uFAFF]/;

  var log = document.getElementById('log');
  var status = document.getElementById('status');
  var form = document.getElementById('composer');
  var input = document.getElementById('input');
  var sendButton = document.getElementById('send');

  var state = {
    lang: null, // null: bilingual until the conversation settles on one language
    strings: { 'zh-CN': {}, bo: {} },
    busy: false,
  };

  // ---- chrome text -------------------------------------------------------------------------

  function loadStrings() {
    return Promise.all(
      LANGS.map(function (lang) {
        return fetch('/api/chat/ui?lang=' + encodeURIComponent(lang), {
          credentials: 'same-origin',
        })
          .then(function (res) {
            return res.ok ? res.json() : null;
          })
          .then(function (body) {
            if (body && body.strings) state.strings[lang] = body.strings;
          })
          .catch(function () {
            /* the server-rendered bilingual text stays */
          });
      }),
    );
  }

  function t(lang, key) {
    var value = state.strings[lang][key];
    return typeof value === 'string' ? value : null;
  }

  function chromeLangs() {
    return state.lang ? [state.lang] : LANGS;
  }

  /** Fills an element with the text of `key` in the current language(s), each in its own span. */
  function fillText(el, key) {
    var langs = chromeLangs();
    var parts = langs.filter(function (lang) {
      return t(lang, key) !== null;
    });
    if (parts.length === 0) return;
    el.textContent = '';
    parts.forEach(function (lang) {
      var span = document.createElement('span');
      span.lang = lang;
      span.textContent = t(lang, key);
      el.appendChild(span);
      if (parts.length > 1) el.appendChild(document.createTextNode(' '));
    });
  }

  function attrText(key) {
    return chromeLangs()
      .map(function (lang) {
        return t(lang, key);
      })
      .filter(function (text) {
        return text !== null;
      })
      .join(' · ');
  }

  function applyChrome() {
    var title = attrText('title');
    if (title) document.title = title;
    if (state.lang) document.documentElement.lang = state.lang;
    each('[data-ui]', function (el) {
      if (el === status && !status.textContent.trim()) return;
      fillText(el, el.getAttribute('data-ui'));
    });
    each('[data-ui-placeholder]', function (el) {
      var text = attrText(el.getAttribute('data-ui-placeholder'));
      if (text) el.placeholder = text;
    });
    each('[data-ui-label]', function (el) {
      var text = attrText(el.getAttribute('data-ui-label'));
      if (text) el.setAttribute('aria-label', text);
    });
    if (state.lang) input.lang = state.lang;
  }

  function showStatus(key) {
    if (!key) {
      status.textContent = '';
      status.removeAttribute('data-ui');
      return;
    }
    status.setAttribute('data-ui', key);
    status.textContent = ' ';
    fillText(status, key);
  }

  // ---- messages ----------------------------------------------------------------------------

  function scriptLang(text, fallback) {
    var bo = TIBETAN.test(text);
    var zh = HAN.test(text);
    if (bo && !zh) return 'bo';
    if (zh && !bo) return 'zh-CN';
    return fallback;
  }

  function bubble(kind, text, lang) {
    var el = document.createElement('div');
    el.className = 'msg ' + kind;
    if (lang) el.lang = lang;
    var who = kind === 'me' ? 'you' : kind === 'bot' ? 'assistant' : null;
    var whoText = who ? attrText(who) : '';
    if (whoText) {
      var hidden = document.createElement('span');
      hidden.className = 'sr-only';
      hidden.textContent = whoText + ': ';
      el.appendChild(hidden);
    }
    var body = document.createElement('span');
    body.className = 'text';
    body.textContent = text;
    el.appendChild(body);
    log.appendChild(el);
    return el;
  }

  function renderReply(message) {
    var lang = message.lang === 'bo' ? 'bo' : 'zh-CN';
    var el = bubble('bot', String(message.text || ''), lang);
    var choices = Array.isArray(message.choices) ? message.choices : [];
    if (choices.length) {
      var group = document.createElement('div');
      group.className = 'choices';
      group.setAttribute('role', 'group');
      choices.forEach(function (choice) {
        var button = document.createElement('button');
        button.type = 'button';
        button.className = 'choice';
        button.lang = scriptLang(choice.label, lang);
        button.textContent = choice.label;
        button.addEventListener('click', function () {
          if (state.busy || button.disabled) return;
          button.classList.add('picked');
          send({ choice: choice.id }, { text: choice.label, lang: button.lang });
        });
        group.appendChild(button);
      });
      el.appendChild(group);
    }
  }

  function disableOldChoices() {
    each('.log .choice', function (button) {
      button.disabled = true;
    });
  }

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  /** Settles the chrome language once replies come back in one language (not bilingual text). */
  function settleLanguage(replies) {
    var langs = {};
    var mixed = false;
    replies.forEach(function (reply) {
      var text = String(reply.text || '');
      if (TIBETAN.test(text) && HAN.test(text)) mixed = true;
      langs[reply.lang] = true;
    });
    var keys = Object.keys(langs);
    if (mixed || keys.length !== 1 || LANGS.indexOf(keys[0]) < 0) return;
    if (state.lang !== keys[0]) {
      state.lang = keys[0];
      applyChrome();
    }
  }

  // ---- sending -----------------------------------------------------------------------------

  function newClientId() {
    var c = window.crypto;
    if (c && typeof c.randomUUID === 'function') {
      try {
        return c.randomUUID(); // only in secure contexts (https, localhost)
      } catch (e) {
        /* fall through */
      }
    }
    var bytes = new Uint8Array(16);
    if (c && typeof c.getRandomValues === 'function') c.getRandomValues(bytes);
    else for (var i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
    return Array.prototype.map
      .call(bytes, function (b) {
        return ('0' + b.toString(16)).slice(-2);
      })
      .join('');
  }

  function delay(ms) {
    return new Promise(function (resolve) {
      setTimeout(resolve, ms);
    });
  }

  /** One POST; resolves {ok, status, body}; rejects on network failure or timeout. */
  function postOnce(payload) {
    var controller = typeof AbortController === 'function' ? new AbortController() : null;
    var timer = controller
      ? setTimeout(function () {
          controller.abort();
        }, TIMEOUT_MS)
      : null;
    return fetch(API, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      signal: controller ? controller.signal : undefined,
    }).then(
      function (res) {
        if (timer) clearTimeout(timer);
        return res
          .json()
          .catch(function () {
            return null;
          })
          .then(function (body) {
            return { ok: res.ok, status: res.status, body: body };
          });
      },
      function (err) {
        if (timer) clearTimeout(timer);
        throw err;
      },
    );
  }

  /** Retries with the SAME clientId: the server answers a repeat from its store, never twice. */
  function postWithRetry(payload, attempt) {
    attempt = attempt || 0;
    return postOnce(payload).then(
      function (result) {
        var retryable = result.status >= 500 || result.status === 409;
        if (retryable && attempt + 1 < TRIES) return again();
        return result;
      },
      function (err) {
        if (attempt + 1 < TRIES) return again();
        throw err;
      },
    );
    function again() {
      return delay(BACKOFF_MS[attempt] || 2000).then(function () {
        return postWithRetry(payload, attempt + 1);
      });
    }
  }

  function setBusy(busy) {
    state.busy = busy;
    sendButton.disabled = busy;
    log.setAttribute('aria-busy', busy ? 'true' : 'false');
  }

  /** Sends one message; `echo` is what to show as the person's bubble (none for start). */
  function send(fields, echo, clientId) {
    var payload = { clientId: clientId || newClientId() };
    Object.keys(fields).forEach(function (key) {
      payload[key] = fields[key];
    });
    disableOldChoices();
    if (echo) bubble('me', echo.text, echo.lang);
    scrollToEnd();
    setBusy(true);
    showStatus(fields.command ? 'connecting' : 'waiting');
    return postWithRetry(payload)
      .then(function (result) {
        if (result.ok && result.body && Array.isArray(result.body.replies)) {
          showStatus(null);
          result.body.replies.forEach(renderReply);
          settleLanguage(result.body.replies);
        } else if (result.status === 429 && result.body && result.body.message) {
          showStatus(null);
          bubble('error', String(result.body.message), null);
        } else {
          failed(fields, payload.clientId);
        }
      })
      .catch(function () {
        failed(fields, payload.clientId);
      })
      .then(function () {
        setBusy(false);
        scrollToEnd();
      });
  }

  /** A bilingual error line with a retry button that resends under the same clientId. */
  function failed(fields, clientId) {
    showStatus(null);
    var el = document.createElement('div');
    el.className = 'msg error';
    el.setAttribute('role', 'alert');
    LANGS.forEach(function (lang) {
      var line = document.createElement('div');
      line.lang = lang;
      line.textContent = t(lang, 'error') || (lang === 'bo' ? 'དྲ་རྒྱ།' : '网络错误');
      el.appendChild(line);
    });
    var retry = document.createElement('button');
    retry.type = 'button';
    retry.className = 'choice';
    fillText(retry, 'retry');
    if (!retry.textContent) retry.textContent = '↻';
    retry.addEventListener('click', function () {
      if (state.busy) return;
      el.parentNode.removeChild(el);
      send(fields, null, clientId);
    });
    el.appendChild(retry);
    log.appendChild(el);
  }

  // ---- input -------------------------------------------------------------------------------

  function submitText() {
    var text = input.value.trim();
    if (!text || state.busy) return;
    input.value = '';
    autosize();
    send({ text: text }, { text: text, lang: scriptLang(text, state.lang) });
  }

  function autosize() {
    input.style.height = 'auto';
    input.style.height = input.scrollHeight + 2 + 'px';
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    submitText();
    input.focus();
  });
  input.addEventListener('keydown', function (event) {
    // Enter sends; Shift+Enter is a new line; never while an IME (pinyin, Tibetan) is composing.
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      submitText();
    }
  });
  input.addEventListener('input', autosize);

  function each(selector, fn) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), fn);
  }

  loadStrings().then(function () {
    applyChrome();
    return send({ command: 'start' }, null);
  });
})();
