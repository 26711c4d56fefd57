// bench/web_cpu.mjs - where the CPU goes while the page loads a view: CPU seconds of each
// Chromium process (browser, renderer, network service, GPU) and of `mandel serve`, and of
// their busiest threads, read from /proc before and after one load (run it under the
// bench lock, nothing else running):
//
//   flock /tmp/mandel-bench.lock node bench/web_cpu.mjs [path/to/mandel]   VIEW=home N=3
//
// Each run: a fresh `mandel serve --cache-mb 0` (web_common.mjs), the view loaded in the one
// tab until every full tile is drawn. The page's own time is printed beside the CPU time:
// on a 2-core machine the load cannot end before (browser + server CPU) / 2.

import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { needFiles } from './web_common.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MANDEL = resolve(process.argv[2] || join(ROOT, 'build', 'mandel'));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const PLAYWRIGHT = join(ROOT, 'web', 'node_modules', 'playwright-core', 'index.mjs');
needFiles('web_cpu', [MANDEL, CHROMIUM, PLAYWRIGHT]);
const { chromium } = await import(pathToFileURL(PLAYWRIGHT).href);
const V = await import(pathToFileURL(join(ROOT, 'web', 'view.js')).href);
const { views, startServer, sleep, pageReader, COMPLETE } =
    await import(pathToFileURL(join(ROOT, 'bench', 'web_common.mjs')).href);

const TICKS = 100; // /proc's clock ticks a second (USER_HZ)
const ticks = (stat) => {
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / TICKS; // utime + stime
};

// CPU seconds so far: Map of "process" and "process: thread" -> seconds. Chromium's
// children rewrite their command line into one string: split on NUL and space.
function snapshot() {
    const m = new Map();
    const add = (k, v) => m.set(k, (m.get(k) || 0) + v);
    for (const pid of readdirSync('/proc')) {
        if (!/^\d+$/.test(pid)) continue;
        try {
            const cmd = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split(/[\0 ]/);
            const server = cmd[0] === MANDEL && cmd[1] === 'serve';
            if (!server && !/chrom/.test(cmd[0])) continue;
            const arg = (name) => (cmd.find((a) => a.startsWith(name)) || '').slice(name.length);
            const kind = server ? 'mandel serve'
                : (arg('--utility-sub-type=') || arg('--type=') || 'browser').replace(/\.mojom\./, ' ');
            add(kind, ticks(readFileSync(`/proc/${pid}/stat`, 'latin1')));
            for (const tid of readdirSync(`/proc/${pid}/task`)) {
                const st = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'latin1');
                const comm = st.slice(st.indexOf('(') + 1, st.lastIndexOf(')')).replace(/\d+$/, '');
                add(`${kind}: ${comm}`, ticks(st));
            }
        } catch { /* gone meanwhile */ }
    }
    return m;
}

const name = process.env.VIEW || 'home';
const view = views(V, ROOT).find(([n]) => n === name);
if (!view) {
    console.error(`web_cpu: unknown VIEW '${name}'`);
    process.exit(2);
}
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
try {
    const ctx = await browser.newContext({ viewport: { width: 1920, height: 1080 }, deviceScaleFactor: 1 });
    const page = await ctx.newPage();
    const { js, until } = pageReader(await ctx.newCDPSession(page));
    await page.goto('about:blank');
    await sleep(3000);   // the window's own start, done with
    for (let run = 0; run < Number(process.env.N || 3); run++) {
        const [server, base] = await startServer(MANDEL);
        await sleep(1000);
        const before = snapshot();
        await page.goto(base + V.hashFromState(view[1]));
        await until(COMPLETE);
        const after = snapshot();
        const st = await js('({ ...window.__mandelStats })');
        const used = [...after].map(([k, v]) => [k, v - (before.get(k) || 0)])
            .filter(([, v]) => v >= 0.01);
        const procs = used.filter(([k]) => !k.includes(': ')).sort((a, b) => b[1] - a[1]);
        const threads = used.filter(([k]) => k.includes(': ')).sort((a, b) => b[1] - a[1]);
        const total = procs.reduce((t, [, v]) => t + v, 0);
        console.log(`${name} run ${run + 1}: complete ${(st.complete / 1000).toFixed(3)} s, ` +
            `CPU ${total.toFixed(2)} s: ${procs.map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`);
        console.log(`  threads: ${threads.slice(0, 6).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`);
        await page.goto('about:blank');
        server.kill('SIGTERM');
    }
} finally {
    await browser.close();
}
