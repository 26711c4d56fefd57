// bench/web_ab.mjs - two (or more) builds of mandel side by side in one browser tab: the
// page served by each in turn, N rounds, medians (run it under the bench lock):
//
//   flock /tmp/mandel-bench.lock node bench/web_ab.mjs A/mandel B/mandel ...
//       VIEWS=home,1e14,5e113,1e300 N=6 SIZE=1920x1080 CHROMIUM=...
//
// For a change to the page or the server: build the old tree and the new one (the page is
// built into the program), then compare. Each run is a fresh `mandel serve --cache-mb 0`
// of the build whose turn it is (a new port: a new origin, nothing cached), in the one tab
// (a new browser context would build a whole window, see web_bench.mjs); the builds take
// turns within each round, so the machine's drift falls on all of them alike. Prints, per
// view and build, the median time from navigation to the view complete and to its first
// coarse picture, read through the DevTools protocol as web_bench.mjs does.

import { join, dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { needFiles } from './web_common.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BUILDS = process.argv.slice(2).map((p) => resolve(p));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const [W, H] = (process.env.SIZE || '1920x1080').split('x').map(Number);
const N = Number(process.env.N || 6);
const PLAYWRIGHT = join(ROOT, 'web', 'node_modules', 'playwright-core', 'index.mjs');
if (BUILDS.length === 0) {
    console.error('usage: node bench/web_ab.mjs A/mandel B/mandel ...');
    process.exit(2);
}
needFiles('web_ab', [...BUILDS, CHROMIUM, PLAYWRIGHT]);
const { chromium } = await import(pathToFileURL(PLAYWRIGHT).href);
const V = await import(pathToFileURL(join(ROOT, 'web', 'view.js')).href);
const { views, startServer, sleep, median, pageReader, COMPLETE } =
    await import(pathToFileURL(join(ROOT, 'bench', 'web_common.mjs')).href);

const ALL = new Map(views(V, ROOT));
const chosen = (process.env.VIEWS || 'home,1e14').split(',');
for (const v of chosen)
    if (!ALL.has(v)) {
        console.error(`web_ab: unknown view '${v}' (${[...ALL.keys()].join(', ')})`);
        process.exit(2);
    }

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
try {
    const ctx = await browser.newContext({ viewport: { width: W, height: H }, deviceScaleFactor: 1 });
    const page = await ctx.newPage();
    const { js, until } = pageReader(await ctx.newCDPSession(page));
    await page.goto('about:blank');
    await sleep(3000);   // the window's own start, done with
    console.log(`web_ab: ${W}x${H}, median of ${N} rounds, builds in turn within each round`);
    for (const name of chosen) {
        const s = ALL.get(name);
        const got = BUILDS.map(() => ({ complete: [], coarse: [] }));
        for (let k = 0; k < N; k++)
            for (let i = 0; i < BUILDS.length; i++) {
                const [server, base] = await startServer(BUILDS[i]);
                await sleep(700);
                await page.goto(base + V.hashFromState(s));
                await until(COMPLETE);
                const st = await js('({ ...window.__mandelStats })');
                got[i].complete.push(st.complete);
                got[i].coarse.push(st.coarse);
                await page.goto('about:blank');
                server.kill('SIGTERM');
            }
        for (let i = 0; i < BUILDS.length; i++)
            console.log(`${name.padEnd(6)} ${BUILDS[i]}: complete ${median(got[i].complete)
                .toFixed(0)} ms, coarse ${median(got[i].coarse).toFixed(0)} ms`);
    }
} finally {
    await browser.close();
}
