import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BotCommand, Message, Update, User } from 'telegraf/types';
import { BadParseMode, EntityParseError, visibleText } from './formatting.js';
import { allocMessageId, chatFor } from './updates.js';

// ------------------------------------------------------------------ public types

export type Params = Record<string, unknown>;

export interface ApiErrorResponse {
  error_code: number;
  description: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

export interface RecordedCall {
  method: string;
  params: Params;
  /** Date.now() when the request body had been read. */
  at: number;
  /** 'http' for normal requests, 'webhook-reply' for a method returned in a webhook response body. */
  via: 'http' | 'webhook-reply';
  /** What the server answered (filled in once answered; long polls stay undefined until they return). */
  response?: { ok: true; result: unknown } | ({ ok: false } & ApiErrorResponse);
}

export interface SentMessage {
  method: 'sendMessage' | 'editMessageText';
  chatId: number;
  messageId: number;
  /** Visible text (after parse_mode entity parsing). */
  text: string;
  /** Text exactly as sent by the bot. */
  rawText: string;
  parseMode?: string;
  /** Always the parsed object, even if the bot sent it as a JSON string. */
  reply_markup?: Record<string, unknown>;
  params: Params;
  /** The Message returned to the bot. */
  message: Message;
  at: number;
}

export interface CommandSet {
  scope: Record<string, unknown>;
  languageCode: string;
  commands: BotCommand[];
}

export interface WebhookInfo {
  url: string;
  secretToken?: string;
  allowedUpdates?: string[];
  maxConnections?: number;
}

export type MethodHandler = (params: Params, server: BotApiServer) => unknown;

export interface BotApiServer {
  /** e.g. http://127.0.0.1:PORT — pass as `telegram: { apiRoot }` */
  apiRoot: string;
  token: string;
  botUser: User;
  /** Every method call, in arrival order. */
  calls: RecordedCall[];
  /** sendMessage/editMessageText results, optionally for one chat. */
  sent(chatId?: number): SentMessage[];
  /** Resolves with the first already-sent or future message matching predicate. */
  waitForSent(predicate: (m: SentMessage) => boolean, timeoutMs?: number): Promise<SentMessage>;
  /** Resolves with the first already-made or future call of `method` matching predicate. */
  waitForCall(
    method: string,
    predicate?: (params: Params) => boolean,
    timeoutMs?: number,
  ): Promise<RecordedCall>;
  /** Queue an update for getUpdates (wakes pending long polls). */
  pushUpdate(update: Update): void;
  /** Updates queued and not yet confirmed through getUpdates offset. */
  pendingUpdates(): Update[];
  /**
   * POST the update to the registered webhook URL like Telegram does (JSON body,
   * X-Telegram-Bot-Api-Secret-Token header). If the response body is a JSON method call
   * (telegraf's webhookReply), it is executed and recorded with via 'webhook-reply'.
   * `opts.baseUrl` replaces the origin of the registered URL (e.g. when the app registered
   * https://example.com/telegraf/... but listens on http://127.0.0.1:PORT).
   */
  deliverWebhook(
    update: Update,
    opts?: { baseUrl?: string },
  ): Promise<{ status: number; body: string }>;
  webhook(): WebhookInfo | null;
  /** Commands from setMyCommands for a scope (default {type:'default'}) and language ('' default). */
  commands(scope?: Record<string, unknown>, languageCode?: string): BotCommand[];
  /** Every non-empty command set registered, with its scope and language code. */
  commandSets(): CommandSet[];
  /** TCP connections accepted so far (a client with keep-alive reuses one). */
  connections(): number;
  /** Next `times` (default 1) calls of `method` fail with this error (HTTP status = error_code). */
  failNext(
    method: string,
    response: ApiErrorResponse,
    times?: number,
    /** Answer only after this long (a slow failure: the caller has moved on meanwhile). */
    opts?: { delayMs?: number },
  ): void;
  /** sendMessage to this chat answers 403 "bot was blocked by the user" from now on. */
  blockChat(chatId: number): void;
  /** sendMessage of a text containing `part` answers 400 from now on (content refused for good). */
  refuseText(part: string): void;
  /** sendMessage calls the flood limits refused with 429 (see StartOptions.limits), by limit. */
  floodRefusals(): { global: number; chat: number };
  /** Override / add a method. Return the `result`; throw ApiError for {ok:false}. */
  handle(method: string, handler: MethodHandler): void;
  /** A file `getFile` finds and `/file/bot<token>/<path>` serves (a voice note the person sent). */
  addFile(fileId: string, bytes: Buffer, path?: string): void;
  /** Forget recorded calls, messages, queued updates and pending faults (webhook/commands kept). */
  reset(): void;
  close(): Promise<void>;
}

export interface StartOptions {
  token?: string;
  /**
   * When true, editMessageText/editMessageReplyMarkup/deleteMessage on a message id the bot
   * never sent answers 400 like Telegram. Default false: unknown ids are accepted (so tests
   * can use callbackUpdate() with an arbitrary message id).
   */
  strictMessages?: boolean;
  /** Default timeout for waitForSent/waitForCall. Default 3000 ms. */
  waitTimeoutMs?: number;
  /**
   * Telegram's flood limits, enforced on sendMessage: more than `perSecond` messages in any
   * second, or a second message to one chat within `perChatMs`, answers 429 with retry_after.
   */
  limits?: { perSecond?: number; perChatMs?: number };
}

export class ApiError extends Error {
  constructor(
    readonly errorCode: number,
    readonly description: string,
    readonly parameters?: ApiErrorResponse['parameters'],
  ) {
    super(description);
    this.name = 'ApiError';
  }
}

const badRequest = (what: string): ApiError => new ApiError(400, `Bad Request: ${what}`);

/** String() for scalars; objects are JSON-encoded (form/JSON params are loosely typed). */
const str = (v: unknown): string => {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v === undefined || v === null) return '';
  return JSON.stringify(v);
};

export const DEFAULT_TOKEN = '123456789:AAF-lamton-test-token_0123456789abcdef';
const MAX_TEXT = 4096;
const DEFAULT_ALLOWED = (t: string): boolean =>
  t !== 'chat_member' && t !== 'message_reaction' && t !== 'message_reaction_count';

// ------------------------------------------------------------------ implementation

interface StoredMessage {
  chatId: number;
  message: Message;
}

interface PollWaiter {
  wake: () => void;
}

export async function startBotApiServer(opts: StartOptions = {}): Promise<BotApiServer> {
  const token = opts.token ?? DEFAULT_TOKEN;
  const strict = opts.strictMessages ?? false;
  const defaultWait = opts.waitTimeoutMs ?? 3000;
  const botId = Number(token.split(':')[0]) || 123456789;
  const botUser: User = {
    id: botId,
    is_bot: true,
    first_name: 'Lamton Test Bot',
    username: 'lamton_test_bot',
  };
  const getMeResult = {
    ...botUser,
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
  };

  const calls: RecordedCall[] = [];
  const sentLog: SentMessage[] = [];
  // Flood limits: times of accepted sendMessage calls, overall and per chat.
  const blocked = new Set<number>();
  const refused: string[] = [];
  const recentSends: number[] = [];
  const lastToChat = new Map<number, number>();
  const refusals = { global: 0, chat: 0 };
  function flood(chatId: number): void {
    if (blocked.has(chatId)) throw new ApiError(403, 'Forbidden: bot was blocked by the user');
    const limits = opts.limits;
    if (!limits) return;
    const now = Date.now();
    while (recentSends.length > 0 && recentSends[0]! <= now - 1000) recentSends.shift();
    const last = lastToChat.get(chatId);
    const chatBusy =
      limits.perChatMs !== undefined && last !== undefined && now - last < limits.perChatMs;
    const full = limits.perSecond !== undefined && recentSends.length >= limits.perSecond;
    if (chatBusy || full) {
      refusals[full ? 'global' : 'chat']++;
      throw new ApiError(429, 'Too Many Requests: retry after 1', { retry_after: 1 });
    }
    recentSends.push(now);
    lastToChat.set(chatId, now);
  }
  let queue: Update[] = [];
  let allowedUpdates: string[] | undefined;
  let hook: WebhookInfo | null = null;
  const commandSets = new Map<string, CommandSet>();
  const faults = new Map<
    string,
    Array<{ response: ApiErrorResponse; remaining: number; delayMs: number }>
  >();
  const messages = new Map<string, StoredMessage>();
  const customHandlers = new Map<string, MethodHandler>();
  const files = new Map<string, { path: string; bytes: Buffer }>();
  const pollWaiters = new Set<PollWaiter>();
  const listeners = new Set<() => void>();
  let closed = false;

  const notify = (): void => {
    for (const l of [...listeners]) l();
  };

  // ---------------------------------------------------------------- helpers

  const msgKey = (chatId: number, messageId: number): string => `${chatId}:${messageId}`;

  const toInt = (v: unknown): number | undefined => {
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v.trim());
    return undefined;
  };

  const jsonField = (v: unknown, what: string): unknown => {
    if (typeof v !== 'string') return v;
    try {
      return JSON.parse(v) as unknown;
    } catch {
      throw badRequest(`can't parse ${what} JSON object`);
    }
  };

  const requireChatId = (params: Params): number => {
    const raw = params.chat_id;
    if (raw === undefined || raw === null || raw === '') throw badRequest('chat_id is empty');
    const id = toInt(raw);
    if (id === undefined) throw badRequest('chat not found');
    return id;
  };

  const parseReplyMarkup = (params: Params): Record<string, unknown> | undefined => {
    if (params.reply_markup === undefined || params.reply_markup === null) return undefined;
    const markup = jsonField(params.reply_markup, 'reply keyboard markup');
    if (typeof markup !== 'object' || markup === null || Array.isArray(markup)) {
      throw badRequest("can't parse reply keyboard markup JSON object");
    }
    const m = markup as Record<string, unknown>;
    if ('inline_keyboard' in m) {
      const rows = m.inline_keyboard;
      if (!Array.isArray(rows)) throw badRequest('field "inline_keyboard" must be an Array');
      for (const row of rows as unknown[]) {
        if (!Array.isArray(row))
          throw badRequest('field "inline_keyboard" must be an Array of Arrays');
        for (const btn of row as unknown[]) {
          const b = (btn ?? {}) as Record<string, unknown>;
          if (typeof b.text !== 'string')
            throw badRequest("can't parse inline keyboard button: Text must be a String");
          if (b.callback_data !== undefined) {
            const data = str(b.callback_data);
            const bytes = Buffer.byteLength(data, 'utf8');
            if (bytes < 1 || bytes > 64) throw badRequest('BUTTON_DATA_INVALID');
          }
          if (b.url !== undefined && !/^(https?|tg):\/\//i.test(str(b.url))) {
            throw badRequest('inline keyboard button URL is invalid');
          }
        }
      }
    }
    return m;
  };

  const checkedText = (params: Params): { raw: string; visible: string; parseMode?: string } => {
    const raw = params.text;
    if (raw === undefined || raw === null || str(raw) === '')
      throw badRequest('message text is empty');
    const rawText = str(raw);
    const parseMode =
      typeof params.parse_mode === 'string' && params.parse_mode !== ''
        ? params.parse_mode
        : undefined;
    let visible: string;
    try {
      visible = params.entities !== undefined ? rawText : visibleText(rawText, parseMode);
    } catch (err) {
      if (err instanceof EntityParseError || err instanceof BadParseMode)
        throw new ApiError(400, err.message);
      throw err;
    }
    if (visible.trim() === '') throw badRequest('message text is empty');
    if (visible.length > MAX_TEXT) throw badRequest('message is too long');
    return parseMode === undefined
      ? { raw: rawText, visible }
      : { raw: rawText, visible, parseMode };
  };

  const recordSent = (
    method: SentMessage['method'],
    chatId: number,
    message: Message,
    params: Params,
    text: { raw: string; visible: string; parseMode?: string },
    markup: Record<string, unknown> | undefined,
  ): void => {
    const entry: SentMessage = {
      method,
      chatId,
      messageId: message.message_id,
      text: text.visible,
      rawText: text.raw,
      params,
      message,
      at: Date.now(),
    };
    if (text.parseMode !== undefined) entry.parseMode = text.parseMode;
    if (markup !== undefined) entry.reply_markup = markup;
    sentLog.push(entry);
  };

  const findMessage = (params: Params): StoredMessage => {
    if (params.inline_message_id !== undefined) {
      throw badRequest('inline messages are not supported by the fake Bot API');
    }
    const chatId = requireChatId(params);
    const messageId = toInt(params.message_id);
    if (messageId === undefined) throw badRequest('message identifier is not specified');
    const found = messages.get(msgKey(chatId, messageId));
    if (found) return found;
    if (strict) throw badRequest('message to edit not found');
    const message = {
      message_id: messageId,
      date: Math.floor(Date.now() / 1000),
      chat: chatFor(chatId),
      from: botUser,
      text: '',
    } as Message;
    const stored = { chatId, message };
    messages.set(msgKey(chatId, messageId), stored);
    return stored;
  };

  const updateType = (u: Update): string =>
    Object.keys(u).find((k) => k !== 'update_id') ?? 'unknown';

  const isAllowed = (u: Update): boolean => {
    const t = updateType(u);
    if (allowedUpdates === undefined || allowedUpdates.length === 0) return DEFAULT_ALLOWED(t);
    return allowedUpdates.includes(t);
  };

  const dropConfirmed = (offset: number): void => {
    if (offset > 0) queue = queue.filter((u) => u.update_id >= offset);
    else if (offset < 0) queue = queue.slice(offset);
  };

  // ---------------------------------------------------------------- methods

  type Handler = (params: Params, ctx: { res?: http.ServerResponse }) => unknown;

  const getUpdates: Handler = async (params, { res }) => {
    if (hook !== null) {
      throw new ApiError(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
    }
    const offset = toInt(params.offset) ?? 0;
    const limit = Math.min(Math.max(toInt(params.limit) ?? 100, 1), 100);
    const timeout = Math.max(toInt(params.timeout) ?? 0, 0);
    if (params.allowed_updates !== undefined) {
      const au = jsonField(params.allowed_updates, 'allowed_updates');
      if (Array.isArray(au)) allowedUpdates = au.map(String);
    }
    dropConfirmed(offset);
    // Like Telegram, a new getUpdates request terminates an older pending one.
    for (const w of [...pollWaiters]) {
      pollWaiters.delete(w);
      w.wake();
    }
    const take = (): Update[] => {
      queue = queue.filter(isAllowed);
      return queue.slice(0, limit);
    };
    let ready = take();
    if (ready.length > 0 || timeout === 0 || closed) return ready;

    let terminated = false;
    await new Promise<void>((resolve) => {
      const waiter: PollWaiter = {
        wake: () => {
          terminated = true;
          cleanup();
        },
      };
      const onUpdate = (): void => {
        if (take().length > 0) cleanup();
      };
      const timer = setTimeout(() => cleanup(), timeout * 1000);
      const onGone = (): void => cleanup();
      function cleanup(): void {
        clearTimeout(timer);
        pollWaiters.delete(waiter);
        listeners.delete(onUpdate);
        res?.off('close', onGone);
        resolve();
      }
      pollWaiters.add(waiter);
      listeners.add(onUpdate);
      res?.on('close', onGone); // client aborted (e.g. bot.stop())
    });
    if (terminated && !closed) {
      throw new ApiError(
        409,
        'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
      );
    }
    ready = take();
    return ready;
  };

  const methods: Record<string, Handler> = {
    getMe: () => getMeResult,
    getFile: (params) => {
      const file = files.get(String(params.file_id));
      if (!file) throw new ApiError(400, 'Bad Request: invalid file_id');
      return {
        file_id: params.file_id,
        file_unique_id: `u${String(params.file_id)}`,
        file_size: file.bytes.length,
        file_path: file.path,
      };
    },
    logOut: () => true,
    close: () => true,
    getUpdates,

    setWebhook: (params) => {
      const url = params.url === undefined || params.url === null ? '' : str(params.url);
      const secret = params.secret_token === undefined ? undefined : str(params.secret_token);
      if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) {
        throw badRequest('secret token contains unallowed characters');
      }
      if (url !== '' && !/^https?:\/\//i.test(url))
        throw badRequest('bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443');
      if (params.drop_pending_updates === true || params.drop_pending_updates === 'true')
        queue = [];
      if (params.allowed_updates !== undefined) {
        const au = jsonField(params.allowed_updates, 'allowed_updates');
        if (Array.isArray(au)) allowedUpdates = au.map(String);
      }
      if (url === '') {
        hook = null;
        return true;
      }
      hook = { url };
      if (secret !== undefined) hook.secretToken = secret;
      if (allowedUpdates !== undefined) hook.allowedUpdates = allowedUpdates;
      const mc = toInt(params.max_connections);
      if (mc !== undefined) hook.maxConnections = mc;
      // wake pollers so they get 409 on their next call
      for (const w of [...pollWaiters]) {
        pollWaiters.delete(w);
        w.wake();
      }
      return true;
    },
    deleteWebhook: (params) => {
      if (params.drop_pending_updates === true || params.drop_pending_updates === 'true')
        queue = [];
      hook = null;
      return true;
    },
    getWebhookInfo: () => {
      const info: Record<string, unknown> = {
        url: hook?.url ?? '',
        has_custom_certificate: false,
        pending_update_count: queue.length,
      };
      if (hook !== null) {
        info.max_connections = hook.maxConnections ?? 40;
        info.ip_address = '127.0.0.1';
        if (hook.allowedUpdates !== undefined) info.allowed_updates = hook.allowedUpdates;
      }
      return info;
    },

    setMyCommands: (params) => {
      const list = jsonField(params.commands, 'commands');
      if (!Array.isArray(list)) throw badRequest('parameter "commands" must be an Array');
      if (list.length > 100) throw badRequest('too many commands');
      const commands: BotCommand[] = list.map((c: unknown) => {
        const o = (c ?? {}) as Record<string, unknown>;
        const command = str(o.command ?? '').replace(/^\//, '');
        const description = str(o.description ?? '');
        if (!/^[a-z0-9_]{1,32}$/.test(command)) throw badRequest('BOT_COMMAND_INVALID');
        if (description.trim() === '' || description.length > 256) {
          throw badRequest('BOT_COMMAND_DESCRIPTION_INVALID');
        }
        return { command, description };
      });
      const set = commandKey(params);
      if (commands.length === 0) commandSets.delete(set.key);
      else commandSets.set(set.key, { scope: set.scope, languageCode: set.languageCode, commands });
      return true;
    },
    getMyCommands: (params) => commandSets.get(commandKey(params).key)?.commands ?? [],
    deleteMyCommands: (params) => {
      commandSets.delete(commandKey(params).key);
      return true;
    },

    sendMessage: (params) => {
      const chatId = requireChatId(params);
      flood(chatId);
      const text = checkedText(params);
      if (refused.some((part) => text.visible.includes(part)))
        throw new ApiError(400, 'Bad Request: message content refused');
      const markup = parseReplyMarkup(params);
      const message: Record<string, unknown> = {
        message_id: allocMessageId(),
        from: botUser,
        chat: chatFor(chatId),
        date: Math.floor(Date.now() / 1000),
        text: text.visible,
      };
      const entities = jsonField(params.entities, 'entities');
      if (Array.isArray(entities) && entities.length > 0) message.entities = entities;
      // Telegram only echoes inline keyboards back on the Message.
      if (markup !== undefined && 'inline_keyboard' in markup) message.reply_markup = markup;
      const msg = message as unknown as Message;
      messages.set(msgKey(chatId, msg.message_id), { chatId, message: msg });
      recordSent('sendMessage', chatId, msg, params, text, markup);
      return msg;
    },
    editMessageText: (params) => {
      const stored = findMessage(params);
      const text = checkedText(params);
      const markup = parseReplyMarkup(params);
      const prev = stored.message as unknown as Record<string, unknown>;
      if (
        prev.text === text.visible &&
        JSON.stringify(prev.reply_markup) === JSON.stringify(markup)
      ) {
        throw badRequest(
          'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
        );
      }
      const next: Record<string, unknown> = {
        ...prev,
        text: text.visible,
        edit_date: Math.floor(Date.now() / 1000),
      };
      delete next.reply_markup;
      if (markup !== undefined && 'inline_keyboard' in markup) next.reply_markup = markup;
      const msg = next as unknown as Message;
      stored.message = msg;
      recordSent('editMessageText', stored.chatId, msg, params, text, markup);
      return msg;
    },
    editMessageReplyMarkup: (params) => {
      const stored = findMessage(params);
      const markup = parseReplyMarkup(params);
      const prev = stored.message as unknown as Record<string, unknown>;
      if (JSON.stringify(prev.reply_markup) === JSON.stringify(markup)) {
        throw badRequest(
          'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
        );
      }
      const next: Record<string, unknown> = { ...prev, edit_date: Math.floor(Date.now() / 1000) };
      delete next.reply_markup;
      if (markup !== undefined) next.reply_markup = markup;
      stored.message = next as unknown as Message;
      return stored.message;
    },
    deleteMessage: (params) => {
      const chatId = requireChatId(params);
      const messageId = toInt(params.message_id);
      if (messageId === undefined) throw badRequest('message identifier is not specified');
      const existed = messages.delete(msgKey(chatId, messageId));
      if (!existed && strict) throw badRequest('message to delete not found');
      return true;
    },
    answerCallbackQuery: (params) => {
      if (params.callback_query_id === undefined || str(params.callback_query_id) === '') {
        throw badRequest('query_id is empty');
      }
      if (params.text !== undefined && str(params.text).length > 200) {
        throw badRequest('MESSAGE_TOO_LONG');
      }
      return true;
    },
    sendChatAction: (params) => {
      requireChatId(params);
      const action = str(params.action ?? '');
      const ok = [
        'typing',
        'upload_photo',
        'record_video',
        'upload_video',
        'record_voice',
        'upload_voice',
        'upload_document',
        'choose_sticker',
        'find_location',
        'record_video_note',
        'upload_video_note',
      ];
      if (!ok.includes(action)) throw badRequest('wrong parameter action in request');
      return true;
    },
  };

  const methodIndex = new Map<string, string>(
    Object.keys(methods).map((m) => [m.toLowerCase(), m]),
  );

  function commandKey(params: Params): {
    key: string;
    scope: Record<string, unknown>;
    languageCode: string;
  } {
    const rawScope = jsonField(params.scope, 'scope');
    const scope =
      rawScope && typeof rawScope === 'object'
        ? (rawScope as Record<string, unknown>)
        : { type: 'default' };
    const languageCode = params.language_code === undefined ? '' : str(params.language_code);
    const canonical = {
      type: str(scope.type ?? 'default'),
      chat_id: toInt(scope.chat_id) ?? scope.chat_id,
      user_id: toInt(scope.user_id) ?? scope.user_id,
    };
    return { key: `${JSON.stringify(canonical)}|${languageCode}`, scope, languageCode };
  }

  /** Runs a method (fault injection, custom handlers, built-ins). Records the call. */
  async function execute(
    rawMethod: string,
    params: Params,
    via: RecordedCall['via'],
    res?: http.ServerResponse,
  ): Promise<{ status: number; body: NonNullable<RecordedCall['response']> }> {
    const custom = customHandlers.get(rawMethod.toLowerCase());
    const method = methodIndex.get(rawMethod.toLowerCase()) ?? rawMethod;
    const call: RecordedCall = { method, params, at: Date.now(), via };
    calls.push(call);
    notify();
    const finish = (status: number, body: NonNullable<RecordedCall['response']>) => {
      call.response = body;
      notify();
      return { status, body };
    };
    const fail = (e: ApiErrorResponse) =>
      finish(e.error_code, {
        ok: false,
        error_code: e.error_code,
        description: e.description,
        ...(e.parameters ? { parameters: e.parameters } : {}),
      });

    const pending = faults.get(method.toLowerCase());
    const fault = pending?.[0];
    if (pending && fault) {
      fault.remaining -= 1;
      if (fault.remaining <= 0) pending.shift();
      if (fault.delayMs > 0) await new Promise((r) => setTimeout(r, fault.delayMs));
      return fail(fault.response);
    }
    const handler: Handler | undefined = custom
      ? (p) => custom(p, api)
      : methods[methodIndex.get(method.toLowerCase()) ?? ''];
    if (!handler) return fail({ error_code: 404, description: 'Not Found: method not found' });
    try {
      const result = await handler(params, res ? { res } : {});
      return finish(200, { ok: true, result });
    } catch (err) {
      if (err instanceof ApiError) {
        return fail({
          error_code: err.errorCode,
          description: err.description,
          ...(err.parameters ? { parameters: err.parameters } : {}),
        });
      }
      return fail({ error_code: 500, description: `Internal Server Error: ${String(err)}` });
    }
  }

  // ---------------------------------------------------------------- HTTP

  const sendJson = (res: http.ServerResponse, status: number, body: unknown): void => {
    if (res.writableEnded || res.destroyed) return;
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  };

  let connections = 0;
  const server = http.createServer((req, res) => {
    void handleRequest(req, res).catch((err: unknown) => {
      sendJson(res, 500, {
        ok: false,
        error_code: 500,
        description: `Internal Server Error: ${String(err)}`,
      });
    });
  });

  async function handleRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // File downloads (`getFile` → /file/bot<token>/<file_path>), as Telegram serves them.
    const f = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (f) {
      const file = [...files.values()].find((x) => x.path === decodeURIComponent(f[2] ?? ''));
      if (decodeURIComponent(f[1] ?? '') !== token || !file) {
        sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
        return;
      }
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': file.bytes.length,
      });
      res.end(file.bytes);
      return;
    }
    const m = /^\/bot([^/]+)\/(?:test\/)?([A-Za-z0-9_]+)\/?$/.exec(url.pathname);
    if (!m) {
      sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      return;
    }
    const [, reqToken = '', method = ''] = m;
    const body = await readBody(req);
    if (decodeURIComponent(reqToken) !== token) {
      sendJson(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
      return;
    }
    let params: Params;
    try {
      params = { ...Object.fromEntries(url.searchParams), ...parseBody(req, body) };
    } catch (err) {
      const description =
        err instanceof ApiError ? err.description : 'Bad Request: invalid request body';
      sendJson(res, 400, { ok: false, error_code: 400, description });
      return;
    }
    const { status, body: out } = await execute(method, params, 'http', res);
    sendJson(res, status, out);
  }

  // Long enough for clients to reuse connections (Node's agent drops a socket 1 s before the
  // server's keep-alive hint: a 1 s hint meant a new TCP connection for every call).
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.on('connection', () => connections++);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  // ---------------------------------------------------------------- waiting

  function waitFor<T>(
    find: () => T | undefined,
    timeoutMs: number,
    describe: () => string,
  ): Promise<T> {
    const found = find();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(
          new Error(`fake Bot API: timed out after ${timeoutMs} ms waiting for ${describe()}`),
        );
      }, timeoutMs);
      function check(): void {
        if (closed) {
          clearTimeout(timer);
          listeners.delete(check);
          reject(new Error(`fake Bot API closed while waiting for ${describe()}`));
          return;
        }
        const hit = find();
        if (hit !== undefined) {
          clearTimeout(timer);
          listeners.delete(check);
          resolve(hit);
        }
      }
      listeners.add(check);
    });
  }

  const summarizeSent = (): string =>
    sentLog.length === 0
      ? '(nothing sent)'
      : sentLog
          .map(
            (s) =>
              `  [${s.method} chat=${s.chatId} id=${s.messageId}] ${JSON.stringify(s.text.slice(0, 120))}`,
          )
          .join('\n');

  // ---------------------------------------------------------------- api object

  const api: BotApiServer = {
    apiRoot: `http://127.0.0.1:${port}`,
    token,
    botUser,
    calls,
    sent: (chatId) =>
      chatId === undefined ? [...sentLog] : sentLog.filter((s) => s.chatId === chatId),
    waitForSent: (predicate, timeoutMs = defaultWait) =>
      waitFor(
        () => sentLog.find(predicate),
        timeoutMs,
        () => `a matching sent message; sent so far:\n${summarizeSent()}`,
      ),
    waitForCall: (method, predicate = () => true, timeoutMs = defaultWait) => {
      const lower = method.toLowerCase();
      return waitFor(
        () => calls.find((c) => c.method.toLowerCase() === lower && predicate(c.params)),
        timeoutMs,
        () =>
          `a ${method} call; calls so far: ${calls.map((c) => c.method).join(', ') || '(none)'}`,
      );
    },
    pushUpdate: (update) => {
      queue.push(update);
      queue.sort((a, b) => a.update_id - b.update_id);
      notify();
    },
    pendingUpdates: () => [...queue],
    deliverWebhook: async (update, dopts = {}) => {
      if (hook === null)
        throw new Error('fake Bot API: deliverWebhook called but no webhook is set');
      const registered = new URL(hook.url);
      const target =
        dopts.baseUrl !== undefined
          ? new URL(registered.pathname + registered.search, dopts.baseUrl)
          : registered;
      const payload = JSON.stringify(update);
      const headers: Record<string, string | number> = {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
      };
      if (hook.secretToken !== undefined)
        headers['x-telegram-bot-api-secret-token'] = hook.secretToken;
      const { status, body } = await new Promise<{ status: number; body: string }>(
        (resolve, reject) => {
          const r = http.request(target, { method: 'POST', headers, agent: false }, (resp) => {
            const chunks: Buffer[] = [];
            resp.on('data', (c: Buffer) => chunks.push(c));
            resp.on('end', () =>
              resolve({
                status: resp.statusCode ?? 0,
                body: Buffer.concat(chunks).toString('utf8'),
              }),
            );
            resp.on('error', reject);
          });
          r.on('error', reject);
          r.end(payload);
        },
      );
      // Telegram executes a method returned in the webhook response body.
      if (status >= 200 && status < 300 && body.trim().startsWith('{')) {
        try {
          const parsed = JSON.parse(body) as Params;
          const { method, ...rest } = parsed;
          if (typeof method === 'string') await execute(method, rest, 'webhook-reply');
        } catch {
          /* not a method call */
        }
      }
      return { status, body };
    },
    webhook: () => (hook === null ? null : { ...hook }),
    commands: (scope, languageCode) => {
      const params: Params = {};
      if (scope !== undefined) params.scope = scope;
      if (languageCode !== undefined) params.language_code = languageCode;
      return [...(commandSets.get(commandKey(params).key)?.commands ?? [])];
    },
    commandSets: () => [...commandSets.values()].map((s) => ({ ...s, commands: [...s.commands] })),
    connections: () => connections,
    blockChat: (chatId) => {
      blocked.add(chatId);
    },
    refuseText: (part) => {
      refused.push(part);
    },
    floodRefusals: () => ({ ...refusals }),
    failNext: (method, response, times = 1, opts = {}) => {
      const key = method.toLowerCase();
      const list = faults.get(key) ?? [];
      list.push({ response, remaining: times, delayMs: opts.delayMs ?? 0 });
      faults.set(key, list);
    },
    addFile: (fileId, bytes, path = `voice/${fileId}.oga`) => {
      files.set(fileId, { path, bytes });
    },
    handle: (method, handler) => {
      customHandlers.set(method.toLowerCase(), handler);
    },
    reset: () => {
      calls.length = 0;
      sentLog.length = 0;
      queue = [];
      faults.clear();
      messages.clear();
    },
    close: async () => {
      if (closed) return;
      closed = true;
      // End pending long polls with an empty result, reject waiters.
      for (const w of [...pollWaiters]) {
        pollWaiters.delete(w);
        w.wake();
      }
      notify();
      listeners.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // give the woken long polls a tick to write their (empty) responses
        setImmediate(() => server.closeAllConnections());
      });
    },
  };
  return api;
}

// ------------------------------------------------------------------ body parsing

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export interface UploadedFile {
  filename: string;
  contentType?: string;
  data: Buffer;
}

function parseBody(req: http.IncomingMessage, body: Buffer): Params {
  if (body.length === 0) return {};
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw badRequest('invalid JSON in request body');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw badRequest('request body must be a JSON object');
    }
    return parsed as Params;
  }
  if (type.startsWith('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(body.toString('utf8')));
  }
  if (type.startsWith('multipart/form-data')) {
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(req.headers['content-type'] ?? '');
    const b = boundary?.[1] ?? boundary?.[2];
    if (!b) throw badRequest('multipart boundary missing');
    const params = parseMultipart(body, b);
    delete params.method; // telegraf repeats the method name as a form field
    return params;
  }
  throw badRequest(`unsupported content-type ${type}`);
}

function parseMultipart(body: Buffer, boundary: string): Params {
  const params: Params = {};
  const delim = Buffer.from(`--${boundary}`);
  let pos = body.indexOf(delim);
  while (pos !== -1) {
    let start = pos + delim.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    if (body.subarray(start, start + 2).toString() === '\r\n') start += 2;
    const next = body.indexOf(delim, start);
    if (next === -1) break;
    let part = body.subarray(start, next);
    if (part.subarray(part.length - 2).toString() === '\r\n')
      part = part.subarray(0, part.length - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      const data = part.subarray(headerEnd + 4);
      const name = /name="([^"]*)"/i.exec(headers)?.[1];
      const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
      const ctype = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1];
      if (name !== undefined) {
        if (filename !== undefined) {
          const file: UploadedFile = { filename, data };
          if (ctype !== undefined) file.contentType = ctype;
          params[name] = file;
        } else {
          params[name] = data.toString('utf8');
        }
      }
    }
    pos = next;
  }
  return params;
}
