#!/usr/bin/env node
// open-chat.mjs - a person clicks "Open Chat" in an OpenTHC app, in a real
// browser: Debian's headless Chromium driven by playwright-core (no browser
// download; executablePath /usr/bin/chromium), fresh profile every run.
//
//   node open-chat.mjs --app-url URL --site-url URL --expect signed-in|error
//       [--username NAME]      signed-in: the exact name expected in #signed-in-status
//       [--status CODE]        error: the HTTP status of the bridge's page (default 401)
//       [--screenshot FILE]    PNG of the final page (also written on failure)
//       [--app-screenshot FILE] PNG of the app page before the click
//       [--new-tab]            the button opens the chat in a new tab
//       [--timeout-ms N]       per step (default 20000)
//       [--chromium PATH]      default /usr/bin/chromium (or $CB_CHROMIUM)
//       [--cookie-values]      also print every cookie's value (for a caller's leak check)
//       [--accept-language H]  the browser's languages: Accept-Language H on every request
//
// Prints one JSON object on stdout and exits 0 only if the expectation held:
//   {"ok":true|false, "step":..., "error":..., "final_url", "final_path", "title",
//    "status_text", "status_state", "main_status", "body_text", "html", "html_lang",
//    "accept_language" (what the browser sent to /auth/open),
//    "cookies":[{name, domain, path, httpOnly, secure, sameSite, expires,
//                value_len, value (MMUSERID only)}],
//    "navigations":[{method, url, status}], "requests":[{method, url, referer}],
//    "token_in_later_requests", "token_in_page", "dialogs", "page_errors",
//    "console_errors", "http_errors":[{url, status}], "screenshot", "elapsed_ms"}
// The link token never appears in the output: `jwt` query values are
// replaced by "<redacted N bytes>" and only MMUSERID's value is shown
// (unless --cookie-values).
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, parseArgs, usage } from './common.mjs';

const SCRIPT = 'open-chat.mjs';
const opt = parseArgs(SCRIPT, process.argv.slice(2), {
  '--app-url': ['appUrl', 'string'], '--site-url': ['siteUrl', 'string'], '--expect': ['expect', 'string'],
  '--username': ['username', 'string'], '--status': ['status', 'number'], '--screenshot': ['screenshot', 'string'],
  '--app-screenshot': ['appScreenshot', 'string'], '--new-tab': ['newTab', 'flag'],
  '--cookie-values': ['cookieValues', 'flag'], '--accept-language': ['acceptLanguage', 'string'],
}, { expect: null, username: null, status: 401, screenshot: null, appScreenshot: null, newTab: false,
  cookieValues: false, acceptLanguage: null });
if (!opt.appUrl || !opt.siteUrl) usage(SCRIPT, '--app-url and --site-url are required');
if (opt.expect !== 'signed-in' && opt.expect !== 'error') usage(SCRIPT, '--expect signed-in|error');
if (!(opt.status >= 100 && opt.status <= 599)) usage(SCRIPT, 'bad --status');
const site = new URL(opt.siteUrl);
const t0 = Date.now();
const out = {
  ok: false, step: 'launch', error: null, expect: opt.expect, final_url: null, final_path: null, title: null,
  status_text: null, status_state: null, main_status: null, body_text: null, html: null, html_lang: null,
  accept_language: null, cookies: [],
  navigations: [], requests: [], token_in_later_requests: false, token_in_page: false, dialogs: [],
  page_errors: [], console_errors: [], http_errors: [], screenshot: null, elapsed_ms: 0,
};

// The token as it left the browser (query or form body of /auth/open).
let token = null;

function redact(u) {
  try {
    const url = new URL(u);
    if (url.searchParams.has('jwt')) {
      const n = url.searchParams.get('jwt').length;
      url.searchParams.set('jwt', `<redacted ${n} bytes>`);
    }
    return url.toString();
  } catch {
    return String(u);
  }
}

function tokenFrom(request) {
  const url = new URL(request.url());
  if (url.origin !== site.origin || url.pathname !== '/auth/open') return null;
  if (url.searchParams.get('jwt')) return url.searchParams.get('jwt');
  const body = request.postData();
  if (body) return new URLSearchParams(body).get('jwt');
  return null;
}

function fail(step, error) {
  const e = new Error(error);
  e.step = step;
  throw e;
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

  const watch = (p) => {
    p.on('dialog', async (d) => {
      out.dialogs.push({ type: d.type(), message: d.message() });
      try { await d.dismiss(); } catch { /* page may be gone */ }
    });
    p.on('pageerror', (e) => out.page_errors.push(String(e && e.message ? e.message : e)));
    p.on('console', (m) => { if (m.type() === 'error') out.console_errors.push(m.text()); });
  };
  context.on('request', (r) => {
    const url = new URL(r.url());
    if (url.origin !== site.origin) return;
    const t = tokenFrom(r);
    if (t) {
      token = t;
      out.accept_language = r.headers()['accept-language'] || null;
    } else if (token) {
      const all = [r.url(), r.postData() || '', ...Object.values(r.headers())].join('\n');
      if (all.includes(token)) out.token_in_later_requests = true;
    }
    out.requests.push({ method: r.method(), url: redact(r.url()), referer: redact(r.headers().referer || '') });
  });
  context.on('response', (r) => {
    const req = r.request();
    if (r.status() >= 400) out.http_errors.push({ url: redact(r.url()), status: r.status() });
    if (!req.isNavigationRequest()) return;
    let main = req.resourceType() === 'document';
    try {
      main = req.frame() === req.frame().page().mainFrame();
    } catch { /* a new tab's first navigation: its frame does not exist yet */ }
    if (main) out.navigations.push({ method: req.method(), url: redact(r.url()), status: r.status() });
  });

  out.step = 'open app page';
  page = await context.newPage();
  watch(page);
  const app = await page.goto(opt.appUrl, { waitUntil: 'load' });
  if (!app || app.status() !== 200) fail(out.step, `app page answered ${app && app.status()}`);
  const button = page.getByText('Open Chat', { exact: true });
  if ((await button.count()) !== 1) fail(out.step, 'no single "Open Chat" control on the app page');
  if (opt.appScreenshot) await page.screenshot({ path: opt.appScreenshot, fullPage: true });

  out.step = 'click Open Chat';
  const onSite = (u) => u.origin === site.origin;
  const landed = opt.expect === 'signed-in'
    ? (u) => onSite(u) && !u.pathname.startsWith('/auth/')
    : (u) => onSite(u) && u.pathname === '/auth/open';
  if (opt.newTab) {
    const [popup] = await Promise.all([context.waitForEvent('page'), button.click()]);
    page = popup;
    watch(page);
  } else {
    await button.click({ noWaitAfter: true });
  }
  await page.waitForURL(landed, { waitUntil: 'load' });

  if (opt.expect === 'signed-in') {
    out.step = 'wait for #signed-in-status';
    const status = page.locator('#signed-in-status');
    await page.waitForFunction(() => {
      const el = document.getElementById('signed-in-status');
      return el && el.getAttribute('data-state') !== 'loading';
    });
    out.status_text = (await status.textContent()).trim();
    out.status_state = await status.getAttribute('data-state');
  }
  out.step = 'collect';
  await page.waitForLoadState('load');
  const last = out.navigations.length ? out.navigations[out.navigations.length - 1] : null;
  out.main_status = last ? last.status : null;
  out.final_url = redact(page.url());
  out.final_path = new URL(page.url()).pathname;
  out.title = await page.title();
  out.body_text = await page.evaluate(() => document.body.innerText);
  out.html = await page.content();
  out.html_lang = await page.evaluate(() => document.documentElement.lang);
  if (token) out.token_in_page = out.html.includes(token) || out.body_text.includes(token);
  out.cookies = (await context.cookies()).map((c) => {
    const o = { name: c.name, domain: c.domain, path: c.path, httpOnly: c.httpOnly, secure: c.secure,
      sameSite: c.sameSite, expires: c.expires, value_len: c.value.length };
    if (c.name === 'MMUSERID' || opt.cookieValues) o.value = c.value;
    return o;
  });

  out.step = 'check';
  if (!token) fail(out.step, 'the browser never sent a token to /auth/open');
  if (out.dialogs.length) fail(out.step, `a dialog opened: ${JSON.stringify(out.dialogs)}`);
  if (out.page_errors.length) fail(out.step, `script error: ${out.page_errors[0]}`);
  if (out.token_in_later_requests) fail(out.step, 'the token was sent again after /auth/open');
  if (out.token_in_page) fail(out.step, 'the token appears in the page');
  if (opt.expect === 'signed-in') {
    const want = opt.username !== null ? `signed in as ${opt.username}` : null;
    if (want !== null ? out.status_text !== want : !/^signed in as \S+$/.test(out.status_text))
      fail(out.step, `#signed-in-status reads ${JSON.stringify(out.status_text)}, want ${JSON.stringify(want || 'signed in as …')}`);
  } else {
    if (out.main_status !== opt.status) fail(out.step, `the page answered ${out.main_status}, want ${opt.status}`);
    if (!out.body_text.includes(`CBO-${opt.status}`)) fail(out.step, `CBO-${opt.status} is not on the page`);
    if (out.cookies.length) fail(out.step, `the browser holds cookies: ${out.cookies.map((c) => c.name).join(', ')}`);
  }
  out.ok = true;
  out.step = 'done';
} catch (e) {
  out.ok = false;
  out.step = e.step || out.step;
  out.error = String(e && e.message ? e.message : e).split('\n')[0];
  if (token) out.error = out.error.split(token).join('<token>');
} finally {
  if (page && opt.screenshot) {
    try {
      await page.screenshot({ path: opt.screenshot, fullPage: true, timeout: opt.timeoutMs });
      out.screenshot = opt.screenshot;
    } catch (e) {
      if (out.ok) { out.ok = false; out.step = 'screenshot'; out.error = String(e.message || e).split('\n')[0]; }
    }
  }
  if (!out.final_url && page) {
    try { out.final_url = redact(page.url()); out.final_path = new URL(page.url()).pathname; } catch { /* closed */ }
  }
  if (browser) await browser.close().catch(() => {});
  out.elapsed_ms = Date.now() - t0;
  process.stdout.write(JSON.stringify(out) + '\n');
  process.exitCode = out.ok ? 0 : 1;
}
