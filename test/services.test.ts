import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const LOCAL_REDIS_PORT = '6381';

describe('local services', () => {
  const redisUrl = process.env.REDIS_URL ?? '';
  const mongoUri = process.env.MONGODB_URI ?? '';
  const dbName = `test_services_${randomUUID().slice(0, 8)}`;
  let redis: Redis;
  let mongo: mongoose.Connection;

  beforeAll(async () => {
    redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    mongo = await mongoose.createConnection(mongoUri, { dbName }).asPromise();
  });

  afterAll(async () => {
    await mongo?.dropDatabase();
    await mongo?.close();
    redis?.disconnect();
  });

  it('reaches the workers through both process.env and inject()', () => {
    expect(redisUrl).not.toBe('');
    expect(mongoUri).not.toBe('');
    expect(inject('services')).toEqual({ MONGODB_URI: mongoUri, REDIS_URL: redisUrl });
  });

  it('Redis answers PING', async () => {
    expect(await redis.ping()).toBe('PONG');
  });

  it.skipIf(new URL(redisUrl || 'redis://x').port !== LOCAL_REDIS_PORT)(
    'local Redis keeps queue data (appendonly, noeviction)',
    async () => {
      expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(await redis.config('GET', 'maxmemory-policy')).toEqual([
        'maxmemory-policy',
        'noeviction',
      ]);
    },
  );

  it('MongoDB-compatible server writes and reads a document', async () => {
    const Probe = mongo.model('Probe', new mongoose.Schema({ key: String, n: Number }));
    await Probe.create({ key: 'a', n: 1 });
    await Probe.updateOne({ key: 'a' }, { $inc: { n: 1 } });
    const found = await Probe.findOne({ key: 'a' }).lean();
    expect(found?.n).toBe(2);
  });
});
