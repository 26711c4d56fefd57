// bench/web_common.mjs - what bench/web_bench.mjs and bench/web_ab.mjs share: the views
// they measure, a fresh `mandel serve` per run, and reading the page through the DevTools
// protocol.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// [name, state] of the home view, the Kalles Fraktaler locations 1e14 and 5e113
// (examples/locations/), and the deep minibrot near i (tests/data/deep/near-i-1e400.kfr)
// at a zoom of 1e300, with the .kfr's iteration limit. V: web/view.js.
export function views(V, root) {
    const kfr = (path) => V.parseKfr(readFileSync(join(root, path), 'latin1'));
    return [
        ['home', V.defaultState()],
        ['1e14', kfr('examples/locations/1e14.kfr')],
        ['5e113', kfr('examples/locations/5e113.kfr')],
        ['1e300', { ...kfr('tests/data/deep/near-i-1e400.kfr'), zoom: '1e300' }],
    ];
}

// `mandel serve --port 0 --cache-mb 0` of the program `bin`: [process, base URL]. A new port
// is a new origin: nothing of an earlier run comes from the browser's cache or the server's.
export function startServer(bin) {
    return new Promise((ok, fail) => {
        const p = spawn(bin, ['serve', '--port', '0', '--cache-mb', '0'],
                        { stdio: ['ignore', 'pipe', 'inherit'] });
        let text = '';
        p.stdout.on('data', (d) => {
            text += d;
            const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(text);
            if (m) ok([p, m[0]]);
        });
        p.once('exit', (code) => fail(new Error(`${bin} serve exited ${code}`)));
    });
}

// Exits with one line naming the first of `files` missing (scripts/install-deps.sh installs
// Chromium and playwright-core; the build makes mandel).
export function needFiles(who, files) {
    for (const f of files)
        if (!existsSync(f)) {
            console.error(`${who}: no ${f} (scripts/install-deps.sh; cmake --build build)`);
            process.exit(1);
        }
}

export const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
export const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

// The page read through the DevTools protocol's Runtime.evaluate of short expressions:
// Playwright's own evaluate and waitForFunction inject its utility script (330 KB) into
// each new document, 20-40 ms of the main thread in the middle of the load being measured.
// until() waits inside the page, in one call: a promise settled by a MutationObserver on
// body[data-view] (the page sets it after every frame it draws), with a look every 250 ms
// besides. Polling from here every 20 ms cost Chromium 0.11 s of CPU over 1.6 s (browser
// and renderer processes), taken from the server on 2 cores. cdp: a Playwright CDPSession of
// the page.
export function pageReader(cdp) {
    async function js(expression, awaitPromise = false) {
        const r = await cdp.send('Runtime.evaluate',
                                 { expression, returnByValue: true, awaitPromise });
        if (r.exceptionDetails) throw new Error(`page: ${expression}: ${r.exceptionDetails.text}`);
        return r.result.value;
    }
    async function until(expression) {
        const ok = await js(`new Promise((done) => {
            const test = () => { try { return !!(${expression}); } catch { return false; } };
            if (test()) return done(true);
            let mo = null, tick = 0, limit = 0;
            const end = (v) => { mo?.disconnect(); clearInterval(tick); clearTimeout(limit); done(v); };
            const look = () => { if (test()) end(true); };
            mo = new MutationObserver(look);
            mo.observe(document.documentElement,
                       { attributes: true, subtree: true, attributeFilter: ['data-view'] });
            tick = setInterval(look, 250);
            limit = setTimeout(() => end(false), 600000);
        })`, true);
        if (!ok) throw new Error(`page: not within 600 s: ${expression}`);
    }
    return { js, until };
}

// body[data-view] says so when every full-resolution tile of the view is drawn (web/ui.js).
export const COMPLETE = "document.body?.dataset.view === 'complete'";
