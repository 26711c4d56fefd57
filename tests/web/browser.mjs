// tests/web/browser.mjs - the page in Debian's Chromium (headless, driven by playwright-core
// from web/node_modules) against a `mandel serve --port 0` this script starts and stops:
// the page loads with no console error; the canvas at the home view holds exactly the
// pixels of `mandel render` of that view (1200x800 at devicePixelRatio 1, and 600x400 CSS
// pixels at devicePixelRatio 2: 1200x800 device pixels); a wheel zoom changes the view and
// the URL (at ratio 2, keeping the point under the pointer), and the canvas equals the CLI's
// picture of the URL's view; a reload restores the same URL and the same pixels; a pan that
// changes the default palette's period (a narrow band of counts) shows the CLI's picture of
// the panned view; a link at a zoom of 1e300 shows the CLI's picture of it.
// Saves a screenshot of the page (seahorse valley, controls open) as explorer.jpg in OUT:
// the README's docs/images/explorer.jpg.
//
// Environment: MANDEL (the CLI), SOURCE (the repository), OUT (a directory for the
// screenshot), CHROMIUM (default /usr/bin/chromium). Exits 77 (skipped) without Chromium or
// without web/node_modules (scripts/install-deps.sh installs both); everything is bounded
// in time (WATCHDOG_MS), and the server is stopped on every way out.

import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const WATCHDOG_MS = 280000;  // under ctest's TIMEOUT of 300 s
const VIEW_MS = 120000;      // the longest one view may take (ASan build, busy machine)
const SKIP = 77;

const MANDEL = process.env.MANDEL, SOURCE = process.env.SOURCE, OUT = process.env.OUT;
if (!MANDEL || !SOURCE || !OUT) {
    console.error('MANDEL, SOURCE and OUT must be set');
    process.exit(2);
}
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const PLAYWRIGHT = join(SOURCE, 'web', 'node_modules', 'playwright-core', 'index.mjs');
if (!existsSync(CHROMIUM)) {
    console.log(`SKIP: no ${CHROMIUM} (Debian's chromium; scripts/install-deps.sh)`);
    process.exit(SKIP);
}
if (!existsSync(PLAYWRIGHT)) {
    console.log('SKIP: no web/node_modules/playwright-core (scripts/install-deps.sh runs npm ci)');
    process.exit(SKIP);
}
const { chromium } = await import(pathToFileURL(PLAYWRIGHT).href);
const V = await import(pathToFileURL(join(SOURCE, 'web', 'view.js')).href);

const tmp = mkdtempSync(join(tmpdir(), 'mandel-browser-'));
let server = null, browser = null;
const failures = [];

function check(ok, what) {
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
    if (!ok) failures.push(what);
}

async function cleanup() {
    if (browser) await browser.close().catch(() => {});
    browser = null;
    if (server && server.exitCode === null) {
        server.kill('SIGTERM');
        await Promise.race([new Promise((ok) => server.once('exit', ok)),
                            new Promise((ok) => setTimeout(ok, 5000))]);
        if (server.exitCode === null) server.kill('SIGKILL');
    }
    rmSync(tmp, { recursive: true, force: true });
}

const watchdog = setTimeout(async () => {
    console.error(`FAIL: the test took more than ${WATCHDOG_MS / 1000} s`);
    await cleanup();
    process.exit(1);
}, WATCHDOG_MS);

// Starts `mandel serve --port 0` and reads the URL from its first line (10 s at most).
function startServer() {
    return new Promise((resolve, reject) => {
        server = spawn(MANDEL, ['serve', '--port', '0', '--bind', '127.0.0.1'],
                       { stdio: ['ignore', 'pipe', 'inherit'] });
        let text = '';
        const timer = setTimeout(() => reject(new Error('mandel serve printed no URL in 10 s')),
                                 10000);
        server.stdout.on('data', (chunk) => {
            text += chunk;
            const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(text);
            if (m) {
                clearTimeout(timer);
                resolve(m[0]);
            }
        });
        server.once('exit', (code) => reject(new Error(`mandel serve exited ${code}`)));
    });
}

// The CLI's picture of state s at w x h: its RGB bytes (binary PPM).
function cliPicture(s, w, h) {
    const args = ['render', '-q', '-s', `${w}x${h}`, '-i', String(V.iterationsOf(s))];
    for (const [k, v] of V.options(s, { iterations: false })) if (k !== 'aa') args.push(`--${k}`, v);
    const out = join(tmp, 'cli.ppm');
    execFileSync(MANDEL, [...args, '-o', out]);
    const ppm = readFileSync(out);
    const m = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.subarray(0, 64).toString('latin1'));
    if (!m || Number(m[1]) !== w || Number(m[2]) !== h) throw new Error('not a WxH PPM');
    return ppm.subarray(m[0].length);
}

// Waits until the page says its view is complete (every visible tile painted).
async function settled(page) {
    try {
        await page.waitForFunction(() => document.body.dataset.view === 'complete', null,
                                   { timeout: VIEW_MS });
    } catch (err) {
        const status = await page.evaluate(() => document.getElementById('status')?.textContent)
            .catch(() => '?');
        throw new Error(`the view did not complete (status line '${status}'; console: ` +
                        `${(page.errors || []).join(' | ') || 'nothing'}): ${err.message}`);
    }
}

// The canvas: [width, height, RGB bytes].
async function canvasPixels(page) {
    const [w, h, b64] = await page.evaluate(() => {
        const c = document.getElementById('view');
        const rgba = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let s = '';
        const rgb = new Uint8Array(c.width * c.height * 3);
        for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
            rgb[j] = rgba[i];
            rgb[j + 1] = rgba[i + 1];
            rgb[j + 2] = rgba[i + 2];
        }
        for (let i = 0; i < rgb.length; i += 0x8000)
            s += String.fromCharCode.apply(null, rgb.subarray(i, i + 0x8000));
        return [c.width, c.height, btoa(s)];
    });
    return [w, h, Buffer.from(b64, 'base64')];
}

function differing(a, b) {
    if (a.length !== b.length) return Infinity;
    let n = 0;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
    return n;
}

// The page's view now, from its URL.
async function stateOf(page) {
    const hash = new URL(page.url()).hash;
    const { state, errors } = V.stateFromHash(hash);
    if (errors.length) throw new Error(`the page's URL ${hash}: ${errors.join('; ')}`);
    return state;
}

// The canvas equals the CLI's picture of the page's current view.
async function equalsCli(page, what) {
    const [w, h, px] = await canvasPixels(page);
    const s = await stateOf(page);
    const bad = differing(px, cliPicture(s, w, h));
    check(bad === 0, `${what}: ${w}x${h} canvas equals mandel render ${V.commandLine(s, w, h)
        .replace(/^mandel render /, '').slice(0, 100)} (${bad} bytes differ)`);
    return px;
}

async function newPage(url, width, height, dpr) {
    const page = await browser.newPage({ viewport: { width, height }, deviceScaleFactor: dpr });
    page.errors = [];
    page.on('console', (m) => {
        // (This script's own readbacks of the canvas draw Chromium's willReadFrequently hint.)
        if ((m.type() === 'error' || m.type() === 'warning') && !/willReadFrequently/.test(m.text()))
            page.errors.push(m.text());
    });
    page.on('pageerror', (e) => page.errors.push(e.message));
    page.asked = [];
    page.on('request', (r) => page.asked.push(new URL(r.url()).pathname));
    await page.goto(url);
    await settled(page);
    return page;
}

function noErrors(page, what) {
    check(page.errors.length === 0, `${what}: no console error${page.errors.length
        ? ': ' + page.errors.join(' | ').slice(0, 300) : ''}`);
}

try {
    const base = await startServer();
    console.log(`server at ${base}`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });

    // Home view at 1200x800, devicePixelRatio 1: `mandel render`'s default picture.
    let page = await newPage(base, 1200, 800, 1);
    noErrors(page, 'home');
    check(page.asked.includes('/') && !page.asked.includes('/api/info'),
          'home: the page starts from the info the server put in it (no /api/info request)');
    // Built with esbuild, the page holds its modules (CMakeLists.txt): it asks for none.
    const bundled = !(await page.content()).includes('src="/web/ui.js"');
    const modules = page.asked.filter((p) => p.endsWith('.js'));
    check(bundled ? modules.length === 0 : modules.includes('/web/ui.js'),
          `home: the page's modules ${bundled ? 'inline, none asked for' : 'asked for'} ` +
          `(${modules.join(' ') || 'none'})`);
    // The first coarse picture went on #first (150x100 at 1200x800), hidden once the
    // canvas holds the view.
    const [fw, fh, fhidden] = await page.evaluate(() => {
        const f = document.getElementById('first');
        return [f.width, f.height, f.hidden];
    });
    check(fw === 150 && fh === 100 && fhidden,
          `home: the first coarse picture was drawn on #first (${fw}x${fh}), hidden now (${fhidden})`);
    await equalsCli(page, 'home view');
    check(cliPicture(V.defaultState(), 1200, 800).equals(
        (() => { execFileSync(MANDEL, ['render', '-q', '-o', join(tmp, 'd.ppm')]);
                 return readFileSync(join(tmp, 'd.ppm')).subarray(-1200 * 800 * 3); })()),
          'the home view is mandel render\'s default picture');

    // A wheel zoom about a point left of the centre: a new view and a new URL.
    const before = page.url();
    await page.mouse.move(500, 300);
    await page.mouse.wheel(0, -400);
    await page.waitForFunction((u) => location.href !== u, before, { timeout: 10000 });
    await settled(page);
    const zoomed = await stateOf(page);
    check(page.url() !== before && Number(zoomed.radius) < 1.25 / 1.9,
          `wheel zoom: ${before} -> ${page.url()}`);
    const zoomPx = await equalsCli(page, 'after the wheel zoom');

    // Reload: the same URL, the same pixels.
    const url = page.url();
    await page.reload();
    await settled(page);
    check(page.url() === url, 'reload keeps the URL');
    const [, , again] = await canvasPixels(page);
    check(differing(again, zoomPx) === 0, 'reload shows the same pixels');
    noErrors(page, 'zoom and reload');
    await page.close();

    // devicePixelRatio 2: 600x400 CSS pixels are a 1200x800 canvas, the CLI's picture.
    page = await newPage(base, 600, 400, 2);
    const [w2, h2, px2] = await canvasPixels(page);
    check(w2 === 1200 && h2 === 800, `devicePixelRatio 2: canvas ${w2}x${h2} device pixels`);
    check(differing(px2, cliPicture(V.defaultState(), 1200, 800)) === 0,
          'devicePixelRatio 2: the pixels of mandel render\'s default picture');
    // A wheel zoom at ratio 2 keeps the point under the pointer (CSS (150, 100): device
    // pixels (-300, -200) from the centre) within a device pixel of the zoomed view.
    const url2 = page.url();
    await page.mouse.move(150, 100);
    await page.mouse.wheel(0, -400);
    await page.waitForFunction((u) => location.href !== u, url2, { timeout: 10000 });
    await settled(page);
    const s2 = await stateOf(page);
    const p0 = V.pointAt(V.defaultState(), 800, -300, -200), p1 = V.pointAt(s2, 800, -300, -200);
    const drift = Math.hypot(Number(p1.re) - Number(p0.re), Number(p1.im) - Number(p0.im)) /
        (2 * Number(s2.radius) / 800);
    check(drift < 1, `devicePixelRatio 2: a wheel zoom keeps the point under the pointer ` +
          `(moved ${drift.toFixed(3)} device pixels)`);
    await equalsCli(page, 'devicePixelRatio 2, after the wheel zoom');
    noErrors(page, 'devicePixelRatio 2');
    await page.close();

    // A pan where the period changes: every pixel escapes within a few steps, so the default
    // palette's period is the view's own lattice's, not 8. After a drag by whole pixels the
    // page asks /api/period and recolours: the canvas is the CLI's picture of the URL's view
    // (dyadic coordinates: a pixel is 2^-11, so the moved anchor's pixels are the CLI's),
    // which the anchor's period would not give.
    const narrow = { ...V.defaultState(), re: '-2.25', im: '0.375', radius: '0.1953125',
                     iterations: 100 };
    page = await newPage(base + V.hashFromState(narrow), 1200, 800, 1);
    await equalsCli(page, 'a view of a narrow band');
    await page.mouse.move(700, 500);
    await page.mouse.down();
    await page.mouse.move(444, 372, { steps: 8 });
    await page.mouse.up();
    await page.waitForFunction((u) => location.hash !== u, V.hashFromState(narrow),
                               { timeout: 10000 });
    await settled(page);
    check(page.asked.includes('/api/period'), 'the pan asked /api/period');
    const panned = await equalsCli(page, 'after a pan that changes the period');
    const anchorPeriod = (await (await fetch(`${base}api/period?${V.tileQuery(narrow)}` +
                                             '&size=1200x800')).json()).anchor;
    check(differing(panned, cliPicture({ ...(await stateOf(page)), period: String(anchorPeriod) },
                                       1200, 800)) > 0,
          `the pan changed the period (the anchor's ${anchorPeriod} colours it otherwise)`);
    noErrors(page, 'the pan of a narrow band');
    await page.close();

    // A link at a zoom of 1e300 (near the minibrot of tests/data/deep/near-i-1e400.kfr); 800x600
    // has tiles beyond the anchor's edges too.
    const kfr = V.parseKfr(readFileSync(join(SOURCE, 'tests/data/deep/near-i-1e400.kfr'), 'latin1'));
    const deep = { ...kfr, zoom: '1e300' };
    page = await newPage(base + V.hashFromState(deep), 800, 600, 1);
    check(page.url().endsWith(V.hashFromState(deep)), 'the 1e300 link stays as given');
    await equalsCli(page, '1e300 link');
    noErrors(page, '1e300 link');
    await page.close();

    // The README's screenshot: seahorse valley, controls open.
    page = await newPage(base + '#center=-0.7453,0.1127&radius=0.0065&iterations=auto',
                         1200, 800, 1);
    const shot = join(OUT, 'explorer.jpg');
    await page.screenshot({ path: shot, type: 'jpeg', quality: 85 });
    console.log(`screenshot: ${shot}`);
    noErrors(page, 'seahorse valley');
    await page.close();
} catch (err) {
    check(false, `error: ${err.stack || err}`);
}
await cleanup();
clearTimeout(watchdog);
console.log(failures.length ? `${failures.length} failed` : 'all passed');
process.exit(failures.length ? 1 : 0);
