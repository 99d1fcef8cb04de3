import { z } from 'zod';

/** A yes/no query parameter: `1`/`true` is yes, `0`/`false` (or none) is no. */
export const queryFlag = z
  .enum(['1', 'true', '0', 'false'])
  .optional()
  .transform((v) => v === '1' || v === 'true');
