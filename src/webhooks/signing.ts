import { Webhook, WebhookVerificationError } from 'standardwebhooks';

/**
 * Standard Webhooks v1 both ways, with the `standardwebhooks` package. The secret may be several
 * `whsec_…` keys separated by spaces while a key is rotated: outbound calls carry a signature by
 * each (the receiver accepts any), inbound calls are accepted when any signature matches any key.
 */
export interface WebhookSigner {
  /** The three headers of a call with this id, at this moment, over exactly these bytes. */
  headers(id: string, at: Date, body: string): Record<string, string>;
  /**
   * Checks the signature over the raw body (any of several, any of our keys) and the timestamp
   * (5 minutes either way); throws `WebhookVerificationError` otherwise.
   */
  verify(body: string, headers: Record<string, string | string[] | undefined>): void;
}

export { WebhookVerificationError };

export function createSigner(secrets: string): WebhookSigner {
  const keys = secrets
    .split(/\s+/)
    .filter(Boolean)
    .map((s) => new Webhook(s));
  if (keys.length === 0) throw new Error('no webhook secret');
  return {
    headers(id, at, body) {
      return {
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': keys.map((k) => k.sign(id, at, body)).join(' '),
      };
    },
    verify(body, raw) {
      const headers: Record<string, string> = {};
      for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
        const v = raw[name];
        if (typeof v === 'string') headers[name] = v;
      }
      let last: unknown;
      for (const key of keys) {
        try {
          // The body is parsed by the caller (bad JSON under a good signature is a 400, not a 401).
          key.verify(body, headers, { jsonParse: false });
          return;
        } catch (err) {
          last = err;
        }
      }
      throw last instanceof WebhookVerificationError
        ? last
        : new WebhookVerificationError('Invalid signature');
    },
  };
}
