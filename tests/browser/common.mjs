// common.mjs - what the browser scripts share: Chromium's flags, the usage
// error, and the command-line parser.
//
// parseArgs(script, argv, options, defaults): options maps each flag to
// [key, kind], kind 'string', 'number' or 'flag' (no value); the result
// starts from defaults plus {timeoutMs: 20000, chromium: $CB_CHROMIUM or
// /usr/bin/chromium}, and --timeout-ms and --chromium are always known.
// A usage error prints one JSON line {"ok": false, "step": "usage", ...}
// and exits 2.

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--no-first-run', '--disable-quic', '--disable-component-update', '--disable-sync'];

export function usage(script, msg) {
  process.stderr.write(`${script}: ${msg}\n`);
  process.stdout.write(JSON.stringify({ ok: false, step: 'usage', error: msg }) + '\n');
  process.exit(2);
}

export function parseArgs(script, argv, options, defaults) {
  const known = { '--timeout-ms': ['timeoutMs', 'number'], '--chromium': ['chromium', 'string'], ...options };
  const o = { timeoutMs: 20000, chromium: process.env.CB_CHROMIUM || '/usr/bin/chromium', ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const spec = known[a];
    if (spec === undefined) usage(script, `unknown argument ${a}`);
    const [key, kind] = spec;
    if (kind === 'flag') {
      o[key] = true;
      continue;
    }
    if (i + 1 >= argv.length) usage(script, `${a} needs a value`);
    const v = argv[++i];
    o[key] = kind === 'number' ? Number(v) : v;
  }
  if (!(o.timeoutMs > 0)) usage(script, 'bad --timeout-ms');
  return o;
}
