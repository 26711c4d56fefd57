// bench/web_bench.mjs - the page in headless Chromium against `mandel serve`, side by side
// with `mandel render` of the same views (run it through bench/web_bench.sh, which holds
// /tmp/mandel-bench.lock):
//
//   node bench/web_bench.mjs [path/to/mandel]     SIZE=1920x1080 REPEAT=3 VIEWS=home,1e14 CHROMIUM=...
//
// For each view, REPEAT interleaved runs of: the CLI (`mandel render` of the view at SIZE to
// a PNG, wall time of the process); the browser's floor (the same tab sent to a static page
// on a fresh origin, served from here, that does nothing but fetch the CLI's finished PNG,
// decode it and draw it on a canvas filling the window: no page could show the view sooner;
// and the same page drawing only a black canvas, the floor of any first picture); and the
// page (one browser tab, as a user has it, sent to
// a fresh server for each run, started with --cache-mb 0: a new port is a new origin, so
// nothing comes from the browser's cache or the server's; from navigation to the last
// full-resolution tile drawn, and to the first coarse picture drawn; the page's
// window.__mandelStats, ms since navigation). Medians are printed.
//
// One tab for all runs, not a fresh browser context for each: this headless Chromium (156)
// builds a whole window for every new context, its toolbar's web UI included (400
// chrome://resources modules in a second renderer process, ~0.9 s of CPU), and on 2 cores
// that window's start cost the page more than the page itself (home 1.6 s, not 0.7). At the home view also:
// a drag by half a screen to the left, from the button's press to the new view complete
// (tiles already drawn are reused), against the page's full view; then one wheel notch:
// from the wheel event to the zoomed view's coarse picture and to its last tile.
//
// Views: home; the Kalles Fraktaler locations 1e14 and 5e113 (examples/locations/); the
// deep minibrot near i (tests/data/deep/near-i-1e400.kfr) at a zoom of 1e300, with the
// .kfr's iteration limit.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { needFiles } from './web_common.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MANDEL = resolve(process.argv[2] || join(ROOT, 'build', 'mandel'));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const [W, H] = (process.env.SIZE || '1920x1080').split('x').map(Number);
const REPEAT = Number(process.env.REPEAT || 3);
const PLAYWRIGHT = join(ROOT, 'web', 'node_modules', 'playwright-core', 'index.mjs');
needFiles('web_bench', [MANDEL, CHROMIUM, PLAYWRIGHT]);
const { chromium } = await import(pathToFileURL(PLAYWRIGHT).href);
const V = await import(pathToFileURL(join(ROOT, 'web', 'view.js')).href);

const { views, startServer: serve, sleep, median, pageReader, COMPLETE } =
    await import(pathToFileURL(join(ROOT, 'bench', 'web_common.mjs')).href);

const tmp = mkdtempSync(join(tmpdir(), 'mandel-web-bench-'));
const ALL_VIEWS = views(V, ROOT);
const VIEWS = process.env.VIEWS
    ? ALL_VIEWS.filter(([name]) => process.env.VIEWS.split(',').includes(name)) : ALL_VIEWS;
// Each timed run starts after a second of rest: a browser just launched, or a context just
// closed, keeps a core busy for a while (the CLI took 0.20 s right after the launch, 0.12 s
// a second later).
const rest = () => sleep(1000);
const startServer = () => serve(MANDEL);

function cliSeconds(s) {
    const args = ['render', '-q', '-s', `${W}x${H}`, '-i', String(V.iterationsOf(s))];
    for (const [k, v] of V.options(s, { iterations: false })) args.push(`--${k}`, v);
    const t0 = process.hrtime.bigint();
    const r = spawnSync(MANDEL, [...args, '-o', join(tmp, 'cli.png')], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`mandel render exited ${r.status}`);
    return Number(process.hrtime.bigint() - t0) / 1e9;
}

// The floor's static page, at 127.0.0.1 on a port of its own (a new origin, as the page's
// server is): `/` draws the PNG at `/picture.png` (the CLI's) 1:1 on a canvas of the
// window's device pixels, decoded as the page decodes its tiles; `/blank` only fills the
// canvas black. Either sets body[data-view] = 'complete' and window.__floor (ms since
// navigation) in the animation frame after its drawing, as the page marks its own.
const FLOOR_HTML = (picture) => `<!doctype html><html><head><meta charset="utf-8">
<style>html,body{margin:0;height:100%;overflow:hidden;background:#000}
canvas{display:block;width:100vw;height:100vh}</style></head>
<body><canvas id="c"></canvas><script>
const c = document.getElementById('c'), dpr = window.devicePixelRatio || 1;
c.width = Math.round(c.clientWidth * dpr);
c.height = Math.round(c.clientHeight * dpr);
const g = c.getContext('2d', { alpha: false });
const done = () => requestAnimationFrame(() => {
    window.__floor = performance.now();
    document.body.dataset.view = 'complete';
});
if (${picture})
    fetch('/picture.png').then((r) => r.blob())
        .then((b) => createImageBitmap(b, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' }))
        .then((bitmap) => { g.drawImage(bitmap, 0, 0); done(); });
else {
    g.fillRect(0, 0, c.width, c.height);
    done();
}
</script></body></html>`;

function floorServer(png) {
    const bytes = readFileSync(png);
    const server = createServer((req, res) => {
        if (req.url === '/picture.png') {
            res.writeHead(200, { 'content-type': 'image/png', 'content-length': bytes.length });
            return res.end(bytes);
        }
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(FLOOR_HTML(req.url !== '/blank'));
    });
    return new Promise((ok) => server.listen(0, '127.0.0.1',
        () => ok([server, `http://127.0.0.1:${server.address().port}/`])));
}

let js, until;   // the page, read through CDP (web_common.mjs pageReader)
const stats = () => js('({ ...window.__mandelStats })');

// One page load from a fresh server in the tab: [complete s, [coarse ms, coarse ms after the
// view's start]] (the page left open).
async function pageRun(page, base, s) {
    await page.goto(base + V.hashFromState(s));
    await until(COMPLETE);
    const st = await stats();
    return [st.complete / 1000, [st.coarse, st.coarse - st.started]];
}

// The floor: [ms from navigation to the CLI's picture drawn, to a black canvas drawn], each
// on a fresh origin.
async function floorRun(page) {
    const out = [];
    for (const path of ['', 'blank']) {
        const [server, base] = await floorServer(join(tmp, 'cli.png'));
        await page.goto(base + path);
        await until(COMPLETE);
        out.push(await js('window.__floor'));
        await page.goto('about:blank');
        server.close();
        await rest();
    }
    return out;
}

// Drags the home view by half a screen to the left (8 moves); seconds from the button's
// press to the new view complete.
async function panRun(page) {
    await page.mouse.move(W * 3 / 4, H / 2);
    const t0 = await js('performance.now()');
    await page.mouse.down();
    for (let i = 1; i <= 8; i++) await page.mouse.move(W * 3 / 4 - i * W / 16, H / 2);
    await page.mouse.up();
    await until(`window.__mandelStats.complete > ${t0} && ${COMPLETE}`);
    return ((await stats()).complete - t0) / 1000;
}

// One wheel notch (zoom in 1.41x) at the centre of the screen: ms from the wheel event to
// the new view's first coarse picture and to its last tile (the page waits for the wheel
// to rest before it asks for the new view: input.js SETTLE_MS).
async function wheelRun(page) {
    await page.mouse.move(W / 2, H / 2);
    const [t0, v0] = await js('[performance.now(), window.__mandelStats.view]');
    await page.mouse.wheel(0, -200);
    await until(`window.__mandelStats.view > ${v0} && ${COMPLETE}`);
    const st = await stats();
    return [st.coarse - t0, st.complete - t0];
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
const ctx = await browser.newContext({ viewport: { width: W, height: H }, deviceScaleFactor: 1 });
const page = await ctx.newPage();
({ js, until } = pageReader(await ctx.newCDPSession(page)));
page.on('console', (m) => { if (m.type() === 'error') console.error(`console: ${m.text()}`); });
await page.goto('about:blank');
await new Promise((ok) => setTimeout(ok, 3000));   // the window's own start, done with
try {
    console.log(`mandel web bench: ${W}x${H} device pixels, median of ${REPEAT} interleaved runs, ` +
        `${cpus().length} CPUs (load ${loadavg()[0].toFixed(1)}), a fresh mandel serve --cache-mb 0 a run, one tab; ` +
        new Date().toISOString().slice(0, 16));
    console.log('coarse: the first picture drawn, ms from navigation (from the view\'s start); ' +
                'floor: a static page drawing the CLI\'s PNG (a black canvas)');
    console.log('view     iters    cli_s   page_s  page/cli   coarse_ms   floor_s floor/cli  (black_ms)' +
                '     pan_s  pan/full');
    for (const [name, s] of VIEWS) {
        const cli = [], full = [], coarse = [], pan = [], wheel = [], floor = [];
        for (let i = 0; i < REPEAT; i++) {
            await rest();
            cli.push(cliSeconds(s));
            await rest();
            floor.push(await floorRun(page));
            const [server, base] = await startServer();
            await rest();
            const [done, first] = await pageRun(page, base, s);
            full.push(done);
            coarse.push(first);
            if (name === 'home') {
                pan.push(await panRun(page));
                wheel.push(await wheelRun(page));
            }
            await page.goto('about:blank');
            server.kill('SIGTERM');
        }
        const c = median(cli), p = median(full);
        const pn = pan.length ? median(pan) : null;
        console.log(`${name.padEnd(7)} ${String(V.iterationsOf(s)).padStart(6)} ${c.toFixed(3).padStart(8)} ` +
            `${p.toFixed(3).padStart(8)} ${(p / c).toFixed(2).padStart(8)}x ` +
            `${median(coarse.map((x) => x[0])).toFixed(0).padStart(5)} ` +
            `(${median(coarse.map((x) => x[1])).toFixed(0).padStart(3)}) ` +
            `${(median(floor.map((x) => x[0])) / 1000).toFixed(3).padStart(9)} ` +
            `${(median(floor.map((x) => x[0])) / 1000 / c).toFixed(2).padStart(8)}x ` +
            `(${median(floor.map((x) => x[1])).toFixed(0).padStart(8)}) ` +
            (pn === null ? '' : `${pn.toFixed(3).padStart(9)} ${(pn / p).toFixed(2).padStart(8)}x`));
        if (wheel.length)
            console.log(`  a wheel notch at ${name}: coarse after ${median(wheel.map((x) => x[0]))
                .toFixed(0)} ms, complete after ${median(wheel.map((x) => x[1])).toFixed(0)} ms`);
    }
} finally {
    await browser.close();
    rmSync(tmp, { recursive: true, force: true });
}
