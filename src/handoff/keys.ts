/** Redis keys of the handoff (the database holds the truth; these make each turn cheap). */
export const caseKeys = (prefix: string) => ({
  /** personId → the open case's id (set when a case opens, removed when it closes). */
  open: (personId: string) => `${prefix}case:open:${personId}`,
  /** Set once per case: the person was told their messages go to the counsellor. */
  acked: (caseId: string) => `${prefix}case:ack:${caseId}`,
  /** personId → what the person's next free text answers (a rating comment, a follow-up). */
  awaiting: (personId: string) => `${prefix}case:await:${personId}`,
  /** personId → a case whose counsellor replies wait for the person to write (WeChat window). */
  waiting: (personId: string) => `${prefix}case:waiting:${personId}`,
  /**
   * `channel:chatId` → the choice ids of the last message the worker pushed with buttons (a
   * rating, a follow-up): on WeChat they are a numbered list, and "2" must pick from them.
   */
  pushed: (channel: string, chatId: string) => `${prefix}case:pushed:${channel}:${chatId}`,
});

/** What the person's next free text answers, kept in Redis for a while. */
export type Awaiting =
  { kind: 'comment'; caseId: string } | { kind: 'followup'; caseId: string; followupId: string };
