import { randomUUID } from 'node:crypto';
import type { OutgoingMessage } from '../../messaging/content.js';
import { SendError, type Sender } from '../../messaging/send.js';
import type { SenderContext } from '../channel.js';
import { splitText } from '../../lib/split-text.js';
import { createInbox, PUSH_MESSAGES_MAX, PUSH_TEXT_MAX, pushText, toInboxItem } from './inbox.js';
import { isSessionId } from './session.js';

/** Redis states in which a command would wait on a reconnect instead of running now. */
const AWAY = new Set(['reconnecting', 'close', 'end']);

/**
 * Pushes to a web chat (`address`: the session id of its `lamton_sid` cookie) with Redis alone,
 * so a worker can use it: the messages become one item of the chat's inbox
 * (`web:inbox:{chatId}`, shown on the page's next visit) and are published on `web:push` (shown
 * at once on a page that is open). Returns the item's id.
 */
export function createWebSender(
  ctx: Pick<SenderContext, 'redis' | 'prefix' | 'log'>,
  { now = Date.now }: { now?: () => number } = {},
): Sender {
  const inbox = createInbox(ctx.redis, ctx.prefix);

  async function send(address: string, messages: OutgoingMessage[]) {
    if (!isSessionId(address)) throw new SendError('blocked', 'not a web chat id');
    if (messages.length === 0) throw new SendError('rejected', 'no messages');
    if (messages.length > PUSH_MESSAGES_MAX)
      throw new SendError('rejected', `more than ${PUSH_MESSAGES_MAX} messages in one push`);
    // While Redis is away a command would wait for the reconnect: fail now, the caller retries.
    if (AWAY.has(ctx.redis.status)) throw new SendError('transient', `redis ${ctx.redis.status}`);
    const item = toInboxItem(messages, now(), randomUUID());
    try {
      await inbox.add(address, item);
    } catch (err) {
      throw new SendError('transient', err instanceof Error ? err.message : String(err));
    }
    ctx.log.debug({ chatId: address, itemId: item.id }, 'web chat: pushed');
    return { messageIds: [item.id] };
  }

  return {
    channel: 'web',
    send,
    // What the page's bubbles show: the (possibly cut) text, the notice line under it.
    preview: (messages) =>
      toInboxItem(messages, 0, 'preview').messages.map((m) =>
        m.notice ? `${m.text}\n\n${m.notice}` : m.text,
      ),
    // One item whatever it holds; a text past PUSH_TEXT_MAX counts as the pieces it would need
    // (it is cut), so outreach can refuse it when it is written.
    parts: (messages) =>
      messages.reduce((n, m) => n + splitText(pushText(m), PUSH_TEXT_MAX).length, 0),
  };
}
