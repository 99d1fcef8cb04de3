import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one process (no module-level registry, so tests build their own). */
export function createMetrics() {
  const registry = new Registry();
  /** Set by the process that can count them (the web role): read when /metrics is scraped. */
  const sources: { undeliveredWebhooks?: () => Promise<number> } = {};
  collectDefaultMetrics({ register: registry, prefix: 'lamton_' });
  return {
    registry,
    sources,
    webhooks: new Counter({
      name: 'lamton_webhooks_total',
      help: 'Calls to the counsellor system by event type and outcome (delivered, retried, undelivered)',
      labelNames: ['type', 'outcome'] as const,
      registers: [registry],
    }),
    webhooksUndelivered: new Gauge({
      name: 'lamton_webhook_events_undelivered',
      help: 'Events the counsellor system never took within the retry window (listed at /api/admin/webhooks)',
      registers: [registry],
      async collect() {
        if (sources.undeliveredWebhooks)
          this.set(await sources.undeliveredWebhooks().catch(() => 0));
      },
    }),
    cases: new Counter({
      name: 'lamton_cases_total',
      help: 'Counsellor cases by event (opened by reason, escalated, closed)',
      labelNames: ['event'] as const,
      registers: [registry],
    }),
    turns: new Counter({
      name: 'lamton_turns_total',
      help: 'Conversation turns handled, by channel and outcome',
      labelNames: ['channel', 'outcome'] as const,
      registers: [registry],
    }),
    turnSeconds: new Histogram({
      name: 'lamton_turn_duration_seconds',
      help: 'Time to handle one conversation turn (lock to replies ready)',
      labelNames: ['channel'] as const,
      buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    questions: new Counter({
      name: 'lamton_questions_total',
      help: 'Free-text questions by language and what the assistant did (answered, clarify, declined, distress)',
      labelNames: ['lang', 'outcome'] as const,
      registers: [registry],
    }),
    cardsStale: new Gauge({
      name: 'lamton_policy_cards_stale',
      help: 'Active policy cards past their review period (365 days)',
      registers: [registry],
    }),
    writesDropped: new Counter({
      name: 'lamton_background_writes_dropped_total',
      help: 'Conversation log lines and questions dropped because the buffer waiting for the database was full',
      labelNames: ['what'] as const,
      registers: [registry],
    }),
    telegramDropped: new Counter({
      name: 'lamton_telegram_updates_dropped_total',
      help: 'Polled Telegram updates given up after repeated failures while Redis was up',
      registers: [registry],
    }),
    telegramMalformed: new Counter({
      name: 'lamton_telegram_malformed_updates_total',
      help: 'Telegram updates ignored because a field the assistant reads had the wrong shape',
      registers: [registry],
    }),
    cardsInvalid: new Gauge({
      name: 'lamton_policy_cards_invalid',
      help: 'Stored policy cards skipped because they fail the card schema (see the admin card list)',
      registers: [registry],
    }),
    retentionDeleted: new Counter({
      name: 'lamton_retention_deleted_total',
      help: 'Conversation log entries deleted by the retention job',
      registers: [registry],
    }),
    outreachSends: new Counter({
      name: 'lamton_outreach_sends_total',
      help: 'Outreach deliveries by channel and outcome (sent, failed, skipped, retried, rate_limited)',
      labelNames: ['channel', 'outcome'] as const,
      registers: [registry],
    }),
    outreachResent: new Counter({
      name: 'lamton_outreach_possible_duplicates_total',
      help: 'Sends retried after a crash between claiming and recording (the channel may have taken the first)',
      labelNames: ['channel'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
