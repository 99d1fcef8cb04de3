// Types for services.mjs (plain JavaScript so that it runs before npm install).

export interface ServiceUrls {
  MONGODB_URI: string;
  REDIS_URL: string;
}

export const LOCAL_MONGODB_URI: string;
export const LOCAL_REDIS_URL: string;

/** Error whose message is meant for the person at the terminal. */
export class ServicesError extends Error {}

/** Uses MONGODB_URI / REDIS_URL when set; otherwise starts or reuses the local daemons. */
export function ensureServices(options?: { log?: (msg: string) => void }): Promise<ServiceUrls>;

/** Stops the local daemons started from this checkout. */
export function stopServices(options?: { log?: (msg: string) => void }): Promise<void>;

/** Installs Debian packages (root only; `apt-get update` once per process). */
export function aptInstall(
  packages: string[],
  options?: { log?: (msg: string) => void; why?: string },
): void;
