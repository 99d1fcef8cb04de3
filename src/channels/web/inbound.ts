import { z } from 'zod';
import type { InboundEvent } from '../../messaging/inbound.js';
import { normalizeInput } from '../../lib/normalize.js';

/**
 * Body of `POST /api/chat/messages`. `clientId` is made fresh by the page for every send and
 * reused on retries, so the server can answer a repeat without running the turn twice.
 */
export const webMessageBody = z
  .object({
    clientId: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only'),
    text: z
      .string()
      .max(4096)
      .refine((text) => normalizeInput(text).length > 0, 'empty text')
      .optional(),
    choice: z.string().min(1).max(64).optional(),
    command: z.literal('start').optional(),
  })
  .refine(
    (body) => [body.text, body.choice, body.command].filter((v) => v !== undefined).length === 1,
    'exactly one of text, choice, command',
  );

export type WebMessageBody = z.infer<typeof webMessageBody>;

/** Turns a validated web message into the channel-neutral event for the conversation layer. */
export function toInboundEvent(
  body: WebMessageBody,
  sid: string,
  acceptLanguage: string | undefined,
  receivedAt = new Date(),
): InboundEvent {
  const input: InboundEvent['input'] =
    body.text !== undefined
      ? { kind: 'text', text: normalizeInput(body.text) }
      : body.choice !== undefined
        ? { kind: 'choice', id: body.choice }
        : { kind: 'command', name: 'start', args: '' };
  const languageHint = firstLanguageTag(acceptLanguage);
  return {
    channel: 'web',
    chatId: sid,
    messageId: body.clientId,
    input,
    receivedAt,
    ...(languageHint ? { languageHint } : {}),
  };
}

/** `bo-CN,bo;q=0.9,zh;q=0.8` → `bo-CN`; anything malformed → undefined. */
export function firstLanguageTag(header: string | undefined): string | undefined {
  const tag = header?.split(',')[0]?.split(';')[0]?.trim();
  return tag && /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(tag) ? tag : undefined;
}

/** zod issues in the API's `{ path, message }` shape (path joined with dots, '' for the body). */
export function validationDetails(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}
