import type { TestProject } from 'vitest/node';
import { ensureServices, type ServiceUrls } from '../scripts/services.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    services: ServiceUrls;
  }
}

/**
 * Fills MONGODB_URI / REDIS_URL when unset (`npm test` has already done it). Workers fork after
 * global setup and inherit process.env, so tests may read either the env or `inject('services')`.
 */
export default async function setup(project: TestProject): Promise<void> {
  const services = await ensureServices();
  process.env.MONGODB_URI = services.MONGODB_URI;
  process.env.REDIS_URL = services.REDIS_URL;
  project.provide('services', services);
}
