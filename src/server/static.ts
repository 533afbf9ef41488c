/**
 * The page's files: web/ of the installed package and d3's UMD build from node_modules. Only files
 * that exist at start-up are served, by exact name, so no request path reaches the file system.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';

export const HTML = 'text/html; charset=utf-8';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': HTML,
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface StaticFile {
  readonly path: string;
  readonly contentType: string;
}

/** web/ next to this package's package.json, whether running from src/ (tests) or dist/src/. */
export function webRoot(): string {
  let dir = import.meta.dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'web');
    if (existsSync(join(candidate, 'index.html')) && existsSync(join(dir, 'package.json'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`the dashboard's web/ folder was not found above ${import.meta.dirname}`);
}

/**
 * d3's UMD bundle. d3's package exports hide `dist/d3.min.js` from require.resolve, so resolve the
 * package's entry point and take the file beside it.
 */
export function d3Path(): string {
  const entry = createRequire(import.meta.url).resolve('d3');
  const path = join(dirname(entry), 'd3.min.js');
  if (!existsSync(path)) throw new Error(`d3's UMD bundle is missing: ${path}`);
  return path;
}

/** URL path → file: the page's files at the root, d3 under /vendor/. */
export function staticRoutes(): Map<string, StaticFile> {
  const root = webRoot();
  const routes = new Map<string, StaticFile>();
  const add = (url: string, path: string): void => {
    const contentType = CONTENT_TYPES[extname(path)];
    if (contentType) routes.set(url, { path, contentType });
  };
  const walk = (dir: string, prefix: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      if (entry.isDirectory()) walk(join(dir, entry.name), `${prefix}${entry.name}/`);
      else if (entry.isFile()) add(`${prefix}${entry.name}`, join(dir, entry.name));
    }
  };
  walk(root, '/');
  add('/vendor/d3.min.js', d3Path());
  routes.set('/', routes.get('/index.html')!);
  return routes;
}

export function readStatic(file: StaticFile): Buffer {
  return readFileSync(file.path);
}
