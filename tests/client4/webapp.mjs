#!/usr/bin/env node
// Behaves like Mattermost's web app, using the official Client4 class
// (@mattermost/client, pinned in package.json), against a Mattermost server or
// the emulator.  See README.md.
//
//   node webapp.mjs --url BASE [--cookie NAME=VALUE]... [--httponly NAME]...
//                   [--team T --channel C --post MESSAGE]
//                   [--login-id ID --password PW] [--user-agent UA] [--verbose]
//
// Prints one JSON object and exits 0 only on success:
//   {"ok":true,"user":{"id","username"},"post_id":...,"requests":[...]}
//   {"ok":false,"status":N,"error_id":"...","step":"...","requests":[...]}
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Client4 } = require('@mattermost/client');

const DEFAULT_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) ' +
    'Chrome/120.0.0.0 Safari/537.36';

function usage(msg) {
    if (msg) {
        process.stderr.write(`webapp.mjs: ${msg}\n`);
    }
    process.stderr.write('usage: node webapp.mjs --url BASE [--cookie NAME=VALUE]... ' +
        '[--httponly NAME]... [--team T --channel C --post MESSAGE] ' +
        '[--login-id ID --password PW] [--user-agent UA] [--verbose]\n');
    process.exit(2);
}

let args;
try {
    ({ values: args } = parseArgs({
        options: {
            url: { type: 'string' },
            cookie: { type: 'string', multiple: true, default: [] },
            httponly: { type: 'string', multiple: true },
            team: { type: 'string' },
            channel: { type: 'string' },
            post: { type: 'string' },
            'login-id': { type: 'string' },
            password: { type: 'string' },
            'user-agent': { type: 'string', default: DEFAULT_UA },
            verbose: { type: 'boolean', default: false },
            help: { type: 'boolean', default: false },
        },
        strict: true,
    }));
} catch (err) {
    usage(err.message);
}
if (args.help) {
    usage();
}
if (!args.url) {
    usage('--url is required');
}
if ((args.team || args.channel || args.post) && !(args.team && args.channel && args.post)) {
    usage('--team, --channel and --post go together');
}
if (Boolean(args['login-id']) !== (args.password !== undefined)) {
    usage('--login-id and --password go together');
}

const baseUrl = args.url.replace(/\/+$/, '');
const httpOnlyNames = new Set(args.httponly ?? ['MMAUTHTOKEN']);

// ---------------------------------------------------------------------------
// The browser's cookie jar for this one origin.  name -> {value, httpOnly, path}
const jar = new Map();

for (const c of args.cookie) {
    const eq = c.indexOf('=');
    if (eq <= 0) {
        usage(`bad --cookie ${c}`);
    }
    const name = c.slice(0, eq);
    jar.set(name, { value: c.slice(eq + 1), httpOnly: httpOnlyNames.has(name), path: '/' });
}

function pathMatches(cookiePath, reqPath) {
    if (cookiePath === '/' || reqPath === cookiePath) {
        return true;
    }
    const prefix = cookiePath.endsWith('/') ? cookiePath : `${cookiePath}/`;
    return reqPath.startsWith(prefix);
}

// Apply one Set-Cookie header the way a browser does (enough for Mattermost's
// cookies: Path, Max-Age, Expires, HttpOnly; deletion by Max-Age<=0 / past Expires).
function applySetCookie(header) {
    const parts = header.split(';').map((p) => p.trim());
    const eq = parts[0].indexOf('=');
    if (eq <= 0) {
        return;
    }
    const name = parts[0].slice(0, eq);
    let value = parts[0].slice(eq + 1);
    if (value.length > 1 && value.startsWith('"') && value.endsWith('"')) {
        value = value.slice(1, -1);
    }
    const cookie = { value, httpOnly: false, path: '/' };
    let expired = false;
    let sawMaxAge = false;
    for (const attr of parts.slice(1)) {
        const [k, ...rest] = attr.split('=');
        const v = rest.join('=');
        switch (k.toLowerCase()) {
        case 'httponly':
            cookie.httpOnly = true;
            break;
        case 'path':
            cookie.path = v || '/';
            break;
        case 'max-age':
            sawMaxAge = true;
            expired = Number(v) <= 0;
            break;
        case 'expires':
            if (!sawMaxAge && Date.parse(v) <= Date.now()) {
                expired = true;
            }
            break;
        default:
            break;
        }
    }
    if (expired) {
        jar.delete(name);
    } else {
        jar.set(name, cookie);
    }
}

// document.cookie as a browser shows it to scripts: readable cookies only.
globalThis.document = {
    get cookie() {
        return [...jar].filter(([, c]) => !c.httpOnly).map(([n, c]) => `${n}=${c.value}`).join('; ');
    },
    set cookie(text) {
        applySetCookie(text); // JS cannot set HttpOnly cookies; good enough here
    },
};

// fetch as a browser runs it for Client4 (credentials: 'include'): send every
// matching cookie in one Cookie header, store Set-Cookie answers.  Client4
// adds X-Requested-With and, for non-GET requests, X-CSRF-Token from
// document.cookie itself; nothing is added here.
const realFetch = globalThis.fetch;
const requests = [];
let lastStatus = 0;
globalThis.fetch = async (url, options = {}) => {
    const target = new URL(url);
    const headers = new Headers(options.headers || {});
    if (options.credentials !== 'omit') {
        const cookies = [...jar].filter(([, c]) => pathMatches(c.path, target.pathname))
            .map(([n, c]) => `${n}=${c.value}`);
        if (cookies.length) {
            headers.set('Cookie', cookies.join('; '));
        }
    }
    if (!headers.has('User-Agent')) {
        headers.set('User-Agent', args['user-agent']);
    }
    const response = await realFetch(url, { ...options, headers, redirect: 'manual' });
    for (const sc of response.headers.getSetCookie()) {
        applySetCookie(sc);
    }
    lastStatus = response.status;
    const entry = {
        method: (options.method || 'GET').toUpperCase(),
        path: target.pathname,
        status: response.status,
        csrf_header: headers.has('X-CSRF-Token'),
        xhr_header: headers.get('X-Requested-With') === 'XMLHttpRequest',
    };
    requests.push(entry);
    if (args.verbose) {
        process.stderr.write(`${JSON.stringify(entry)}\n`);
    }
    return response;
};

function finish(result) {
    process.stdout.write(`${JSON.stringify({ ...result, requests })}\n`);
    process.exit(result.ok ? 0 : 1);
}

function fail(step, err) {
    finish({
        ok: false,
        step,
        status: lastStatus || err?.status_code || 0,
        error_id: err?.server_error_id || err?.error_id || '',
        message: err?.message || String(err),
    });
}

const client = new Client4();
client.setUrl(baseUrl);

let step = 'start';
try {
    if (args['login-id']) {
        step = 'login';
        // Client4.login keeps the Token header (and then sends it as a bearer
        // token); the cookies from Set-Cookie go to the jar as in a browser.
        await client.login(args['login-id'], args.password);
    }

    // components/root/actions loadConfigAndMe: no MMUSERID cookie visible to
    // JavaScript means "not logged in" (the value is never compared).
    step = 'cookie-check';
    if (!document.cookie.split(';').some((c) => c.trim().startsWith('MMUSERID='))) {
        finish({ ok: false, step, status: 0, error_id: 'webapp.no_mmuserid_cookie',
            message: 'MMUSERID cookie not visible to JavaScript' });
    }

    step = 'getMe';
    const me = await client.getMe();
    const result = { ok: true, user: { id: me.id, username: me.username } };

    if (args.post !== undefined) {
        step = 'getChannelByNameAndTeamName';
        const channel = await client.getChannelByNameAndTeamName(args.team, args.channel);
        step = 'createPost';
        const post = await client.createPost({ channel_id: channel.id, message: args.post });
        result.channel_id = channel.id;
        result.post_id = post.id;
    }
    finish(result);
} catch (err) {
    fail(step, err);
}
