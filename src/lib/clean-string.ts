import { z } from 'zod';
import { cleanText } from './normalize.js';

/**
 * A string field cleaned the one way stored text is (cleanText: no NUL, control or bidi
 * characters, no lone surrogates, NFC) before its own checks: what is stored is what was
 * checked, and what a person is shown carries nothing that turns text around on screen.
 */
export const cleaned = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' ? cleanText(v) : v), schema);
