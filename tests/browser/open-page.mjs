#!/usr/bin/env node
// open-page.mjs - a person opens one of the bridge's own pages (the landing
// page, the "open chat from your app" page) in a real browser: Debian's
// headless Chromium driven by playwright-core, fresh profile every run,
// with the browser's languages set.
//
//   node open-page.mjs --url URL
//       [--accept-language H]  the browser's languages: Accept-Language H on every request
//       [--click TEXT]         then click the one element whose text is exactly TEXT and
//                              record the page it leads to as well
//       [--screenshot FILE]    PNG of the first page
//       [--click-screenshot FILE] PNG of the page after the click
//       [--timeout-ms N]       per step (default 20000)
//       [--chromium PATH]      default /usr/bin/chromium (or $CB_CHROMIUM)
//
// Prints one JSON object on stdout:
//   {"ok", "step", "error", "elapsed_ms", "dialogs", "page_errors", "cookies": [names],
//    "pages": [{"url", "path", "status", "vary", "content_type", "content_language",
//               "accept_language" (what the browser sent), "title", "html_lang", "h1",
//               "links": [texts], "buttons": [texts], "body_text", "html"}]}
// and exits 0 only if every page loaded without a dialog or a script error.
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, parseArgs, usage } from './common.mjs';

const SCRIPT = 'open-page.mjs';
const opt = parseArgs(SCRIPT, process.argv.slice(2), {
  '--url': ['url', 'string'], '--accept-language': ['acceptLanguage', 'string'], '--click': ['click', 'string'],
  '--screenshot': ['screenshot', 'string'], '--click-screenshot': ['clickScreenshot', 'string'],
}, { url: null, acceptLanguage: null, click: null, screenshot: null, clickScreenshot: null });
if (!opt.url) usage(SCRIPT, '--url is required');
const t0 = Date.now();
const out = { ok: false, step: 'launch', error: null, pages: [], cookies: [], dialogs: [], page_errors: [],
  elapsed_ms: 0 };

// What the page shows, and how the main document was answered.
async function record(page, response) {
  const h = response ? response.headers() : {};
  const sent = response ? await response.request().allHeaders() : {};
  const p = await page.evaluate(() => ({
    title: document.title,
    html_lang: document.documentElement.lang,
    h1: document.querySelector('h1') ? document.querySelector('h1').innerText : null,
    links: [...document.querySelectorAll('a')].map((a) => a.innerText.trim()),
    buttons: [...document.querySelectorAll('button')].map((b) => b.innerText.trim()),
    body_text: document.body.innerText,
  }));
  out.pages.push({ url: page.url(), path: new URL(page.url()).pathname, status: response ? response.status() : null,
    vary: h.vary || null, content_type: h['content-type'] || null, content_language: h['content-language'] || null,
    accept_language: sent['accept-language'] || null, ...p, html: await page.content() });
}

let browser;
let page;
try {
  browser = await chromium.launch({ executablePath: opt.chromium, args: CHROMIUM_ARGS, timeout: opt.timeoutMs });
  const contextOptions = { viewport: { width: 1100, height: 700 } };
  // The header as given, q-values and all (a context locale would make
  // Chromium send the locale alone instead).
  if (opt.acceptLanguage) contextOptions.extraHTTPHeaders = { 'Accept-Language': opt.acceptLanguage };
  const context = await browser.newContext(contextOptions);
  context.setDefaultTimeout(opt.timeoutMs);
  page = await context.newPage();
  page.on('dialog', async (d) => {
    out.dialogs.push({ type: d.type(), message: d.message() });
    try { await d.dismiss(); } catch { /* page may be gone */ }
  });
  page.on('pageerror', (e) => out.page_errors.push(String(e && e.message ? e.message : e)));

  out.step = 'open';
  await record(page, await page.goto(opt.url, { waitUntil: 'load' }));
  if (opt.screenshot) await page.screenshot({ path: opt.screenshot, fullPage: true });

  if (opt.click) {
    out.step = `click ${opt.click}`;
    const target = page.getByText(opt.click, { exact: true });
    if ((await target.count()) !== 1) throw new Error(`no single element reading ${JSON.stringify(opt.click)}`);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().isNavigationRequest() && r.frame() === page.mainFrame()),
      target.click(),
    ]);
    await page.waitForLoadState('load');
    await record(page, response);
    if (opt.clickScreenshot) await page.screenshot({ path: opt.clickScreenshot, fullPage: true });
  }

  out.step = 'check';
  out.cookies = (await context.cookies()).map((c) => c.name);
  if (out.dialogs.length) throw new Error(`a dialog opened: ${JSON.stringify(out.dialogs)}`);
  if (out.page_errors.length) throw new Error(`script error: ${out.page_errors[0]}`);
  out.ok = true;
  out.step = 'done';
} catch (e) {
  out.ok = false;
  out.error = String(e && e.message ? e.message : e).split('\n')[0];
} finally {
  if (browser) await browser.close().catch(() => {});
  out.elapsed_ms = Date.now() - t0;
  process.stdout.write(JSON.stringify(out) + '\n');
  process.exitCode = out.ok ? 0 : 1;
}
