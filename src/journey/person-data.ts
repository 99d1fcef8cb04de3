import type { Lang } from '../messaging/lang.js';

/** A feature's records of a person, which /delete, /link and /mydata must reach. */
export interface PersonData {
  /** Removes everything of the person (before the person record goes). */
  erase(personId: string): Promise<void>;
  /** Gives `from`'s records to `into` (/link). */
  merge(from: string, into: string): Promise<void>;
  /** Lines for /mydata in the person's language. */
  describe(personId: string, lang: Lang): Promise<string[]>;
  /** The profile consent was withdrawn: what was made from the profile goes. */
  withdrawn?(personId: string): Promise<void>;
}
