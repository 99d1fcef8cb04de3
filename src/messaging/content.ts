import type { Lang } from './lang.js';

/**
 * What the assistant says, before a channel renders it: the one content shape that the
 * conversation layer, outreach and counsellors hand to any channel's sender.
 */

/** A button the person can press; `id` comes back as a `choice` input (<= 60 bytes). */
export interface Choice {
  id: string;
  label: string;
}

/** A link to a document or a page (a channel shows it as a link, a card or an attachment). */
export interface MediaLink {
  url: string;
  title: string;
}

export interface OutgoingMessage {
  text: string;
  choices?: Choice[];
  lang: Lang;
  /** Documents or pages to go with the text (rendered as links where a channel has no cards). */
  media?: MediaLink[];
  /** A short line under the message (an outreach notice: who sends it, how to stop it). */
  notice?: string;
}
