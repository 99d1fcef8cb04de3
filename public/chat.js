/* Lamton web chat: vanilla JS, no build step, no external URLs. Written for old in-app browsers
   (WeChat's): no optional chaining, no nullish coalescing, no regex lookbehind. */
(function () {
  'use strict';

  var API = '/api/chat/messages';
  var TRANSCRIPT = '/api/chat/transcript';
  var EVENTS = '/api/chat/events';
  /** After the server refused the event stream (or it never opened): seconds to wait, doubling. */
  var EVENTS_RETRY_SEC = [15, 30, 60, 120, 300];
  var LANGS = ['zh-CN', 'bo'];
  var TRIES = 3;
  var BACKOFF_MS = [600, 1800];
  var TIMEOUT_MS = 20000;
  var MAX_AUTO_RETRY_SEC = 60;
  var TIBETAN = /[\u0F40-\u0FBC]/;
  var HAN = /[\u3400-\u9FFF\uF900-\uFAFF]/;
  /**
   * Service numbers to call: 110, 119, 120, 122, any 5–11 digits (12333, 12356, mobiles), and
   * area-code numbers (0891-6xxxxxx). Not amounts, years or document numbers: the digits must
   * not touch other digits, a decimal point, 〔〕 or a unit.
   */
  var PHONE =
    /(^|[^\d.〔\-])((?:0\d{2,3}-)?\d{7,8}|\d{5,11}|11[09]|12[02])(?![\d.%％元万年月日号〕岁个人次天])/g;

  var log = document.getElementById('log');
  var status = document.getElementById('status');
  var form = document.getElementById('composer');
  var input = document.getElementById('input');
  var sendButton = document.getElementById('send');
  var bar = document.querySelector('.bar');

  var state = {
    lang: null, // null: bilingual until the conversation settles on one language
    strings: { 'zh-CN': {}, bo: {} },
    busy: false,
    /** The last send that did not get through: {fields, clientId, text}; kept until it does. */
    failed: null,
    retryTimer: null,
    /** The buttons the person can press now (re-enabled when pressing one fails). */
    activeChoices: [],
    /** Ids of the pushed items shown, so a replayed or repeated one is not shown twice. */
    pushed: {},
    /** The open EventSource, and the timer that opens it again after a refusal. */
    events: null,
    eventsTimer: null,
    eventsFailures: 0,
    /** Server time of the transcript: pushes after it are sent again when the stream opens. */
    since: null,
    /** Whether this browser has a session (a cookie): only then can anything be pushed to it. */
    session: false,
  };

  // ---- chrome text -------------------------------------------------------------------------

  function loadStrings() {
    return Promise.all(
      LANGS.map(function (lang) {
        return getJson('/api/chat/ui?lang=' + encodeURIComponent(lang)).then(function (body) {
          if (body && body.strings) state.strings[lang] = body.strings;
        });
      }),
    );
  }

  /** GET as JSON; null on any failure (the page then does without). */
  function getJson(url) {
    return fetch(url, { credentials: 'same-origin' })
      .then(function (res) {
        return res.ok ? res.json() : null;
      })
      .catch(function () {
        return null;
      });
  }

  function t(lang, key) {
    var value = state.strings[lang][key];
    return typeof value === 'string' ? value : null;
  }

  function chromeLangs() {
    return state.lang ? [state.lang] : LANGS;
  }

  /** Fills an element with the text of `key` in the current language(s), each in its own span. */
  function fillText(el, key, langs) {
    langs = langs || chromeLangs();
    var parts = langs.filter(function (lang) {
      return t(lang, key) !== null;
    });
    if (parts.length === 0) return false;
    el.textContent = '';
    parts.forEach(function (lang, i) {
      if (i > 0) el.appendChild(document.createTextNode(' '));
      var span = document.createElement('span');
      span.lang = lang;
      span.textContent = t(lang, key);
      el.appendChild(span);
    });
    return true;
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
    autosize();
    fitHeader();
  }

  /**
   * The header is chrome: with large text (or two languages) it must not eat the conversation.
   * Past an eighth of the screen it drops the subtitle, and if still too tall it keeps the title
   * to one line (the full title stays in the document title).
   */
  function fitHeader() {
    if (!bar) return;
    var limit = Math.max(56, window.innerHeight / 8);
    bar.className = 'bar';
    if (bar.offsetHeight <= limit) return;
    bar.className = 'bar compact';
    if (bar.offsetHeight <= limit) return;
    bar.className = 'bar compact tight';
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

  // ---- text rendering ----------------------------------------------------------------------

  function scriptLang(text, fallback) {
    var bo = TIBETAN.test(text);
    var zh = HAN.test(text);
    if (bo && !zh) return 'bo';
    if (zh && !bo) return 'zh-CN';
    return fallback;
  }

  /**
   * Splits text into runs of lines in one language: a bilingual message ("中文\nབོད་ཡིག") gives
   * two parts, each marked with its own language. Lines in neither script join their neighbour.
   */
  function languageParts(text, fallback) {
    var parts = [];
    var current = null;
    var pending = []; // leading lines with no letters wait for the first language
    text.split('\n').forEach(function (line) {
      var lang = scriptLang(line, null);
      if (current && (lang === null || lang === current.lang)) current.lines.push(line);
      else if (lang === null) pending.push(line);
      else {
        current = { lang: lang, lines: pending.concat([line]) };
        pending = [];
        parts.push(current);
      }
    });
    if (parts.length < 2) return [{ lang: parts.length ? parts[0].lang : fallback, text: text }];
    return parts.map(function (part) {
      return { lang: part.lang, text: part.lines.join('\n').replace(/^\n+|\n+$/g, '') };
    });
  }

  /** Appends text with phone numbers as tel: links; text nodes only, never HTML. */
  function appendLinked(parent, text) {
    var at = 0;
    var match;
    PHONE.lastIndex = 0;
    while ((match = PHONE.exec(text)) !== null) {
      var start = match.index + match[1].length;
      var number = match[2];
      if (start > at) parent.appendChild(document.createTextNode(text.slice(at, start)));
      var link = document.createElement('a');
      link.href = 'tel:' + number.replace(/\D/g, '');
      link.className = 'tel';
      link.textContent = number;
      parent.appendChild(link);
      at = start + number.length;
      PHONE.lastIndex = at;
    }
    if (at < text.length) parent.appendChild(document.createTextNode(text.slice(at)));
  }

  /**
   * Fills `body` with `text` and returns its one language (null when unknown), or 'both' when
   * the text is bilingual: then each language is a block with its own lang.
   */
  function renderText(body, text, lang) {
    var parts = languageParts(text, lang);
    if (parts.length === 1) {
      appendLinked(body, text);
      return parts[0].lang || null;
    }
    parts.forEach(function (part) {
      var block = document.createElement('span');
      block.className = 'part';
      block.lang = part.lang;
      appendLinked(block, part.text);
      body.appendChild(block);
    });
    return 'both';
  }

  // ---- messages ----------------------------------------------------------------------------

  function bubble(kind, text, lang) {
    var el = document.createElement('div');
    el.className = 'msg ' + kind;
    var who = kind === 'me' ? 'you' : kind === 'bot' ? 'assistant' : null;
    if (who) {
      var hidden = document.createElement('span');
      hidden.className = 'sr-only';
      if (fillText(hidden, who)) {
        hidden.appendChild(document.createTextNode(': '));
        el.appendChild(hidden);
      }
    }
    var body = document.createElement('span');
    body.className = 'text';
    var textLang = renderText(body, text, lang);
    // One language: the bubble says which. Two: each part says its own.
    if (textLang === 'both') el.setAttribute('data-bilingual', 'true');
    else if (textLang) el.lang = textLang;
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
        button.setAttribute('data-choice', choice.id);
        button.addEventListener('click', function () {
          if (state.busy || button.disabled) return;
          button.classList.add('picked');
          focusInput();
          send({ choice: choice.id }, { text: choice.label, lang: button.lang });
        });
        group.appendChild(button);
        state.activeChoices.push(button);
      });
      el.appendChild(group);
    }
    return el;
  }

  function disableOldChoices() {
    each('.log .choice', function (button) {
      button.disabled = true;
    });
  }

  /** Renders one turn's replies with only their buttons enabled; returns the first bubble. */
  function renderReplies(replies) {
    disableOldChoices();
    state.activeChoices = [];
    var first = null;
    replies.forEach(function (reply) {
      var el = renderReply(reply);
      if (!first) first = el;
    });
    return first;
  }

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  /**
   * Shows a new answer from its start: when it does not fit, its first line goes to the top of
   * the log (with the person's own message above it when that is short), not its last buttons.
   */
  function reveal(echo, first) {
    if (!first) return scrollToEnd();
    var view = log.clientHeight;
    var top = first.offsetTop;
    if (echo && top - echo.offsetTop < view / 3) top = echo.offsetTop;
    top = Math.max(0, top - 8);
    if (log.scrollHeight - top <= view) scrollToEnd();
    else log.scrollTop = top;
  }

  function focusInput() {
    try {
      input.focus({ preventScroll: true });
    } catch (e) {
      input.focus();
    }
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

  // ---- pushed messages ---------------------------------------------------------------------

  /**
   * A pushed item (outreach, a counsellor's reply): assistant bubbles with their notice line
   * (who sends it, how to stop), shown once per id. The buttons of the conversation stay as they
   * were, unless the push brings its own.
   */
  function renderPushed(turn) {
    if (!turn || typeof turn.id !== 'string' || state.pushed[turn.id]) return null;
    state.pushed[turn.id] = true;
    var first = null;
    var replies = Array.isArray(turn.replies) ? turn.replies : [];
    // A push with buttons (a counsellor's rating question) makes them the live ones.
    var withChoices = replies.some(function (m) {
      return Array.isArray(m.choices) && m.choices.length > 0;
    });
    if (withChoices) {
      disableOldChoices();
      state.activeChoices = [];
    }
    replies.forEach(function (message) {
      var lang = message.lang === 'bo' ? 'bo' : 'zh-CN';
      var el = withChoices ? renderReply(message) : bubble('bot', String(message.text || ''), lang);
      el.className += ' pushed';
      el.setAttribute('data-push-id', turn.id);
      if (typeof message.notice === 'string' && message.notice) {
        var notice = document.createElement('small');
        notice.className = 'notice';
        var noticeLang = renderText(notice, message.notice, lang);
        if (noticeLang && noticeLang !== 'both') notice.lang = noticeLang;
        el.appendChild(notice);
      }
      if (!first) first = el;
    });
    return first;
  }

  /** A push while the page is open: shown at the end, scrolled to when the log was there. */
  function showPushed(turn) {
    var atEnd = log.scrollHeight - log.scrollTop - log.clientHeight < 48;
    var first = renderPushed(turn);
    if (first && atEnd) reveal(null, first);
  }

  /**
   * Pushes arrive as server-sent events while the page is open. EventSource reconnects by itself
   * after a dropped connection (sending the last id it saw); a refusal (no session, too many
   * tabs, the server busy or down) closes it, and then it is opened again later.
   */
  function openEvents() {
    if (typeof window.EventSource === 'undefined' || state.events || state.eventsTimer) return;
    var source = new EventSource(EVENTS + (state.since ? '?since=' + state.since : ''));
    state.events = source;
    source.addEventListener('open', function () {
      state.eventsFailures = 0;
    });
    source.addEventListener('push', function (event) {
      var turn = null;
      try {
        turn = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      showPushed(turn);
    });
    source.addEventListener('error', function () {
      if (source.readyState !== 2) return; // CONNECTING: EventSource is retrying itself
      source.close();
      state.events = null;
      var wait = EVENTS_RETRY_SEC[Math.min(state.eventsFailures, EVENTS_RETRY_SEC.length - 1)];
      state.eventsFailures++;
      state.eventsTimer = setTimeout(function () {
        state.eventsTimer = null;
        openEvents();
      }, wait * 1000);
    });
  }

  /** After a reload: the conversation so far, with only the last buttons live. */
  function restore(turns) {
    var last = null;
    var lastEcho = null;
    turns.forEach(function (turn) {
      if (turn.pushed) {
        last = renderPushed(turn) || last;
        return;
      }
      var replies = Array.isArray(turn.replies) ? turn.replies : [];
      lastEcho = null;
      if (turn.in && typeof turn.in.text === 'string') {
        lastEcho = bubble('me', turn.in.text, turn.in.lang || scriptLang(turn.in.text, state.lang));
        if (turn.in.choice) {
          each('.log .choice', function (button) {
            if (button.getAttribute('data-choice') === turn.in.choice)
              button.classList.add('picked');
          });
        }
      }
      last = renderReplies(replies);
      settleLanguage(replies);
    });
    reveal(lastEcho, last);
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

  /** One POST; resolves {ok, status, body, retryAfter}; rejects on network failure or timeout. */
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
        var retryAfter = parseInt(res.headers.get('retry-after') || '', 10);
        return res
          .json()
          .catch(function () {
            return null;
          })
          .then(function (body) {
            return {
              ok: res.ok,
              status: res.status,
              body: body,
              retryAfter: retryAfter > 0 ? Math.min(retryAfter, MAX_AUTO_RETRY_SEC) : 0,
            };
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
        var retryable = (result.status >= 500 && !result.retryAfter) || result.status === 409;
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
    clearFailure();
    disableOldChoices();
    var echoEl = echo ? bubble('me', echo.text, echo.lang) : null;
    scrollToEnd();
    setBusy(true);
    showStatus(fields.command ? 'connecting' : 'waiting');
    return postWithRetry(payload)
      .then(function (result) {
        if (result.ok && result.body && Array.isArray(result.body.replies)) {
          showStatus(null);
          var first = renderReplies(result.body.replies);
          settleLanguage(result.body.replies);
          setBusy(false);
          reveal(echoEl, first);
          // A real message has a session (its cookie is set now): pushes can reach it.
          if (!fields.command) state.session = true;
          if (state.session) openEvents();
          return;
        }
        failed(fields, payload.clientId, echoEl, result);
      })
      .catch(function () {
        failed(fields, payload.clientId, echoEl, null);
      });
  }

  /**
   * Nothing the person wrote is ever lost: their text goes back into the input (the same
   * clientId is kept for it, so a send that did get through is not answered twice), the buttons
   * they could press come back, and a retry button (or, after a 429, a timer) sends it again.
   */
  function failed(fields, clientId, echoEl, result) {
    showStatus(null);
    setBusy(false);
    if (echoEl && echoEl.parentNode) echoEl.parentNode.removeChild(echoEl);
    var text = typeof fields.text === 'string' ? fields.text : null;
    if (text !== null) {
      var current = input.value.replace(/\s+$/, '');
      if (!current.trim()) input.value = text;
      else if (current.indexOf(text) < 0) input.value = text + '\n' + current;
      autosize();
    }
    state.activeChoices.forEach(function (button) {
      button.disabled = false;
      button.classList.remove('picked');
    });
    state.failed = { fields: fields, clientId: clientId, text: text };

    var el = document.createElement('div');
    el.className = 'msg error';
    el.id = 'send-error';
    el.setAttribute('role', 'alert');
    var limited = result && result.status === 429;
    var body = result && result.body;
    var message = limited && body && typeof body.message === 'string' ? body.message : null;
    var lines = document.createElement('span');
    lines.className = 'text';
    if (message) {
      var textLang = renderText(lines, message, LANGS.indexOf(body.lang) >= 0 ? body.lang : null);
      if (textLang && textLang !== 'both') el.lang = textLang;
    } else {
      chromeLangs().forEach(function (lang) {
        var line = document.createElement('span');
        line.className = 'part';
        line.lang = lang;
        line.textContent =
          t(lang, limited ? 'rateLimited' : 'error') ||
          (lang === 'bo' ? 'འཕྲིན་ཡིག་བསྐུར་མ་ཐུབ།' : '消息没有发出去。');
        lines.appendChild(line);
      });
      if (chromeLangs().length === 1) el.lang = chromeLangs()[0];
    }
    el.appendChild(lines);
    var retry = document.createElement('button');
    retry.type = 'button';
    retry.className = 'choice retry';
    if (!fillText(retry, 'retry')) retry.textContent = '↻';
    retry.addEventListener('click', function () {
      retryFailed();
      focusInput();
    });
    el.appendChild(retry);
    log.appendChild(el);
    scrollToEnd();

    var wait = result && result.retryAfter ? result.retryAfter : 0;
    if (wait) {
      state.retryTimer = setTimeout(function () {
        state.retryTimer = null;
        // Only if nothing changed meanwhile: the person may have edited or sent something else.
        var f = state.failed;
        if (!f || f.clientId !== clientId || state.busy) return;
        if (f.text !== null && input.value.trim() !== f.text) return;
        retryFailed();
      }, wait * 1000);
    }
  }

  function clearFailure() {
    if (state.retryTimer) clearTimeout(state.retryTimer);
    state.retryTimer = null;
    state.failed = null;
    var el = document.getElementById('send-error');
    if (el && el.parentNode) el.parentNode.removeChild(el);
  }

  /** Sends the failed message again under its clientId (typed text: what the input holds). */
  function retryFailed() {
    var f = state.failed;
    if (!f || state.busy) return;
    if (f.text !== null) {
      if (!input.value.trim()) input.value = f.text;
      submitText();
    } else {
      send(f.fields, null, f.clientId);
    }
  }

  // ---- input -------------------------------------------------------------------------------

  /** Characters that show nothing (zero-width, bidi marks): a message of only these is empty. */
  var INVISIBLE = /[\u200B-\u200F\u2060\uFEFF\u00AD\u180E\u202A-\u202E\u2066-\u2069]/g;

  function submitText() {
    var text = input.value.trim();
    // Sent, such a message was refused (400) and shown as a network failure to retry for ever.
    if (!text.replace(INVISIBLE, '').trim()) {
      input.value = '';
      autosize();
      return;
    }
    if (state.busy) return;
    var f = state.failed;
    var clientId = f && f.text === text ? f.clientId : null;
    input.value = '';
    autosize();
    send({ text: text }, { text: text, lang: scriptLang(text, state.lang) }, clientId);
  }

  /** Grows with the text; when empty, with the placeholder, so it is never cut off. */
  function autosize() {
    input.style.height = 'auto';
    var height = input.scrollHeight;
    if (!input.value && input.placeholder) {
      input.value = input.placeholder;
      height = input.scrollHeight;
      input.value = '';
    }
    input.style.height = height + 2 + 'px';
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
  window.addEventListener('resize', function () {
    autosize();
    fitHeader();
  });

  function each(selector, fn) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), fn);
  }

  fitHeader();
  autosize();
  // The Tibetan web font arrives after the first layout: measure again with it.
  if (document.fonts && document.fonts.ready) {
    document.fonts.ready.then(function () {
      autosize();
      fitHeader();
    });
  }
  Promise.all([loadStrings(), getJson(TRANSCRIPT)]).then(function (loaded) {
    applyChrome();
    var body = loaded[1] || {};
    var turns = Array.isArray(body.turns) ? body.turns : [];
    if (typeof body.now === 'number') state.since = body.now;
    state.session = body.session === true;
    if (state.session) openEvents();
    var conversation = turns.filter(function (turn) {
      return !turn.pushed;
    });
    if (turns.length) restore(turns);
    if (conversation.length) {
      showStatus(null);
      return;
    }
    // Only pushed messages kept (the conversation itself has expired): greet under them.
    return send({ command: 'start' }, null);
  });
})();
