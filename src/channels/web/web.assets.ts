import { createHash } from 'node:crypto';
import { access, readdir, readFile } from 'node:fs/promises';
import type { Lang } from '../../messaging/lang.js';

export interface Asset {
  body: Buffer;
  contentType: string;
  etag: string;
}

export interface WebAssets {
  /** The page template (public/index.html) with `{{t:key}}`, `{{a:key}}`, `{{asset:name}}`. */
  template: string;
  /** Whitelisted files by their path under /assets/ (chat.js, chat.css, fonts/…). */
  files: ReadonlyMap<string, Asset>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Reads public/ once into memory: a handful of small files, so serving them needs no file-system
 * access per request and nothing outside the whitelist can ever be reached.
 */
export async function loadWebAssets(): Promise<WebAssets> {
  const dir = await publicDir();
  const names = [
    'chat.js',
    'chat.css',
    ...(await readdir(new URL('fonts/', dir)))
      .filter((name) => name.endsWith('.woff2') || name.endsWith('.txt'))
      .map((name) => `fonts/${name}`),
  ];
  const files = new Map<string, Asset>();
  for (const name of names) {
    const body = await readFile(new URL(name, dir));
    const ext = name.slice(name.lastIndexOf('.'));
    const contentType = CONTENT_TYPES[ext];
    if (contentType) files.set(name, { body, contentType, etag: `"${hash(body)}"` });
  }
  return { template: await readFile(new URL('index.html', dir), 'utf8'), files };
}

/** Fills the page template: bilingual chrome text and cache-busting asset URLs. */
export function renderPage(
  assets: WebAssets,
  uiStrings: (lang: Lang) => Record<string, string>,
): string {
  const zh = uiStrings('zh-CN');
  const bo = uiStrings('bo');
  return assets.template.replace(
    /\{\{(t|a|asset):([A-Za-z0-9_./-]+)\}\}/g,
    (_match, kind: string, key: string) => {
      if (kind === 'asset') {
        const etag = assets.files.get(key)?.etag ?? '';
        return `/assets/${key}?v=${etag.slice(1, 13)}`;
      }
      const zhText = escapeHtml(zh[key] ?? key);
      const boText = escapeHtml(bo[key] ?? key);
      return kind === 'a'
        ? `${zhText} · ${boText}`
        : `<span lang="zh-CN">${zhText}</span> <span lang="bo">${boText}</span>`;
    },
  );
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function hash(body: Buffer): string {
  return createHash('sha256').update(body).digest('base64url').slice(0, 22);
}

// Repo root from src/channels/web (tsx) or from dist/src/channels/web (built).
async function publicDir(): Promise<URL> {
  const candidates = [
    new URL('../../../public/', import.meta.url),
    new URL('../../../../public/', import.meta.url),
  ];
  for (const dir of candidates) {
    try {
      await access(new URL('index.html', dir));
      return dir;
    } catch {
      // try the next
    }
  }
  throw new Error(`public/index.html not found (looked in ${candidates.map(String).join(', ')})`);
}

/** CSS for /docs (Swagger UI's theme option): Tibetan from the app's own font files. */
export async function loadDocsCss(): Promise<string> {
  return readFile(new URL('docs.css', await publicDir()), 'utf8');
}
