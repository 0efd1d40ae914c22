#!/usr/bin/env node
// swap.mjs - the session-swap guard in a real browser (Debian's headless
// Chromium driven by playwright-core, fresh profile): a person signed in
// to chat as A opens a link made for B; the bridge asks first; the person
// presses the page's button and is signed in as B.
//
//   node swap.mjs --first URL --second URL --button TEXT
//       [--screenshot FILE]    PNG of the confirmation page
//       [--after-screenshot FILE] PNG of the chat page after the button
//       [--timeout-ms N]       per step (default 20000)
//       [--chromium PATH]      default /usr/bin/chromium (or $CB_CHROMIUM)
//
// Prints one JSON object on stdout: {"ok", "step", "error", "first_status_text",
//   "confirm": {"path", "status", "title", "html_lang", "body_text", "buttons", "links",
//               "hidden_fields": [names], "token_in_text"},
//   "after_path", "after_status_text", "mmuserid": [before, after], "dialogs",
//   "page_errors", "elapsed_ms"}
// and exits 0 only if every step worked. Tokens never appear in the output.
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, parseArgs, usage } from './common.mjs';

const SCRIPT = 'swap.mjs';
const o = parseArgs(SCRIPT, process.argv.slice(2), {
  '--first': ['first', 'string'], '--second': ['second', 'string'], '--button': ['button', 'string'],
  '--screenshot': ['screenshot', 'string'], '--after-screenshot': ['afterScreenshot', 'string'],
}, { first: null, second: null, button: null, screenshot: null, afterScreenshot: null });
if (!o.first || !o.second || !o.button) usage(SCRIPT, '--first, --second and --button are required');

const t0 = Date.now();
const out = { ok: false, step: 'launch', error: null, first_status_text: null, confirm: null, after_path: null,
  after_status_text: null, mmuserid: [], dialogs: [], page_errors: [], elapsed_ms: 0 };
const token = new URL(o.second).searchParams.get('jwt') || '';

async function statusText(page) {
  const el = page.locator('#signed-in-status');
  await page.waitForFunction(() => {
    const e = document.querySelector('#signed-in-status');
    return e && /^(signed in as|not signed in)/.test(e.innerText);
  });
  return (await el.innerText()).trim();
}

async function mmuserid(context) {
  const c = (await context.cookies()).find((x) => x.name === 'MMUSERID');
  return c ? c.value : null;
}

let browser;
try {
  browser = await chromium.launch({ executablePath: o.chromium, args: CHROMIUM_ARGS, timeout: o.timeoutMs });
  const context = await browser.newContext({ viewport: { width: 1100, height: 700 } });
  context.setDefaultTimeout(o.timeoutMs);
  const page = await context.newPage();
  page.on('dialog', async (d) => {
    out.dialogs.push({ type: d.type(), message: d.message() });
    try { await d.dismiss(); } catch { /* gone */ }
  });
  page.on('pageerror', (e) => out.page_errors.push(String(e && e.message ? e.message : e)));

  out.step = 'first link';
  await page.goto(o.first, { waitUntil: 'load' });
  out.first_status_text = await statusText(page);
  out.mmuserid.push(await mmuserid(context));

  out.step = 'second link';
  const response = await page.goto(o.second, { waitUntil: 'load' });
  out.confirm = await page.evaluate(() => ({
    title: document.title,
    html_lang: document.documentElement.lang,
    body_text: document.body.innerText,
    buttons: [...document.querySelectorAll('button')].map((b) => b.innerText.trim()),
    links: [...document.querySelectorAll('a')].map((a) => a.innerText.trim()),
    hidden_fields: [...document.querySelectorAll('form input[type=hidden]')].map((i) => i.name),
  }));
  out.confirm.path = new URL(page.url()).pathname;
  out.confirm.status = response ? response.status() : null;
  out.confirm.token_in_text = token.length > 0 && out.confirm.body_text.includes(token);
  if (o.screenshot) await page.screenshot({ path: o.screenshot, fullPage: true });

  out.step = `press ${o.button}`;
  const target = page.getByRole('button', { name: o.button, exact: true });
  if ((await target.count()) !== 1) throw new Error(`no single button reading ${JSON.stringify(o.button)}`);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/auth/')), target.click()]);
  out.after_path = new URL(page.url()).pathname;
  out.after_status_text = await statusText(page);
  out.mmuserid.push(await mmuserid(context));
  if (o.afterScreenshot) await page.screenshot({ path: o.afterScreenshot, fullPage: true });

  if (out.dialogs.length) throw new Error(`a dialog opened: ${JSON.stringify(out.dialogs)}`);
  if (out.page_errors.length) throw new Error(`script error: ${out.page_errors[0]}`);
  out.ok = true;
  out.step = 'done';
} catch (e) {
  out.ok = false;
  out.error = String(e && e.message ? e.message : e).split('\n')[0].replaceAll(token || '\u0000', '<token>');
} finally {
  if (browser) await browser.close().catch(() => {});
  out.elapsed_ms = Date.now() - t0;
  process.stdout.write(JSON.stringify(out) + '\n');
  process.exitCode = out.ok ? 0 : 1;
}
