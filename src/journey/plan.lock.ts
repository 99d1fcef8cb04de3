import type { Redis } from 'ioredis';
import { createKeyLock, type KeyLock } from '../lib/key-lock.js';

/**
 * One change at a time to a person's plan and employment record, across processes: the chat,
 * the admin API and the worker all write these fields, and FerretDB v1 loses one of two
 * concurrent updates of a person (ten concurrent `$inc` gave 3).
 */
export type PersonLock = KeyLock;

export function createPersonLock(redis: Redis, prefix: string): PersonLock {
  return createKeyLock(redis, prefix, 'journey');
}
