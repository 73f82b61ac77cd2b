import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router, type RequestHandler } from 'express';

/**
 * The console's compiled scripts and styles (dist/console/web, built by `npm run build`): next to this file when
 * it runs from dist, or the build's when it runs from the sources (tests).
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const webRoot = [path.join(here, 'web'), path.join(here, '..', '..', 'dist', 'console', 'web')].find((dir) => existsSync(path.join(dir, 'main.js')));
/** The message catalogs the console shares with the server, compiled beside it. */
const messagesRoot = [path.join(here, '..', 'text', 'messages'), path.join(here, '..', '..', 'dist', 'text', 'messages')].find((dir) => existsSync(path.join(dir, 'en.js')));
const catalogFiles = new Set(['en.js', 'zh-CN.js']);

/** Preact's ES module builds, served from the installed package: no CDN, works offline. */
function vendorFiles(): Record<string, string> {
  const dir = path.dirname(createRequire(import.meta.url).resolve('preact/package.json'));
  return {
    'preact.js': path.join(dir, 'dist', 'preact.module.js'),
    'hooks.js': path.join(dir, 'hooks', 'dist', 'hooks.module.js'),
    'jsx-runtime.js': path.join(dir, 'jsx-runtime', 'dist', 'jsxRuntime.module.js'),
  };
}

const importMap = JSON.stringify({
  imports: {
    preact: '/assets/vendor/preact.js',
    'preact/hooks': '/assets/vendor/hooks.js',
    'preact/jsx-runtime': '/assets/vendor/jsx-runtime.js',
  },
});

/** The pages the console's router draws; every one is the same document. */
export const consolePaths = ['/', '/sign-in', '/incidents/:id', '/oncall', '/silences', '/heartbeats', '/reports'];

/**
 * Strict by default: scripts only from Vigil itself plus the one inline import map, pinned by its hash
 * (no 'unsafe-inline'); no framing; no plugins; connections to Vigil only.
 */
export function contentSecurityPolicy(): string {
  const mapHash = createHash('sha256').update(importMap).digest('base64');
  return [
    "default-src 'self'",
    `script-src 'self' 'sha256-${mapHash}'`,
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function page(lang: string): string {
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Vigil</title>
<link rel="icon" href="/assets/console/web/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/console/web/console.css">
<script type="importmap">${importMap}</script>
<script type="module" src="/assets/console/web/main.js"></script>
</head>
<body>
<noscript>The Vigil console needs JavaScript. The HTTP API works without it: see /api/v1/incidents.</noscript>
<div id="app"></div>
</body>
</html>
`;
}

/** Security headers on every console response. */
const headers: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', contentSecurityPolicy());
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  next();
};

/** The web console on Vigil's own port: the page, its scripts and styles, and Preact from the package. */
export function consoleRoutes(): Router {
  const router = Router();
  if (!webRoot || !messagesRoot) {
    // Running from sources without a build: the API works, the console says how to get it.
    router.get(consolePaths, (_req, res) => {
      res.status(503).type('text/plain').send('The console is not built: run `npm run build` (npm start does it).\n');
    });
    return router;
  }
  const vendor = vendorFiles();
  router.use('/assets', headers);
  // The URLs mirror the source tree, so the console's relative import of the shared catalog resolves as it does in src/.
  router.use('/assets/console/web', express.static(webRoot, { fallthrough: false, index: false, maxAge: '5m' }));
  router.get('/assets/text/messages/:file', (req, res, next) => {
    if (!messagesRoot || !catalogFiles.has(req.params.file)) return next();
    res.sendFile(path.join(messagesRoot, req.params.file), { maxAge: '5m', headers: { 'Content-Type': 'text/javascript; charset=utf-8' } });
  });
  router.get('/assets/vendor/:file', (req, res, next) => {
    const file = vendor[req.params.file];
    if (!file) return next();
    res.sendFile(file, { maxAge: '1h', headers: { 'Content-Type': 'text/javascript; charset=utf-8' } });
  });
  router.get(consolePaths, headers, (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    // The page's language as the browser asks; the console itself lets people switch.
    const lang = req.acceptsLanguages('en', 'zh-CN', 'zh');
    res.type('html').send(page(typeof lang === 'string' && lang.startsWith('zh') ? 'zh-CN' : 'en'));
  });
  return router;
}
