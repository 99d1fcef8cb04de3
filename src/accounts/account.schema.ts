import { z } from 'zod';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './password.js';
import { ROLES } from './role.js';

/** Lower-case letters, digits, `.`, `_`, `-`; 2–64 characters, starting with a letter or digit. */
export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^[a-z0-9][a-z0-9._-]{1,63}$/,
    'use 2–64 of a-z 0-9 . _ - (starting with a letter or digit)',
  );

export const passwordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(MAX_PASSWORD_LENGTH, `at most ${MAX_PASSWORD_LENGTH} characters`);

export const roleSchema = z.enum(ROLES);

export const languagesSchema = z
  .array(z.enum(['zh-CN', 'bo']))
  .max(2)
  .refine((l) => new Set(l).size === l.length, 'no language twice');
