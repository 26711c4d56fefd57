// bench/web_trace.mjs - where the renderer's main thread spends one page load: a Chrome
// trace (DevTools protocol Tracing) of the view loaded in the one tab from a fresh
// `mandel serve --cache-mb 0` until every full tile is drawn, summed by event name over the
// main thread (nested events count in their parents too), longest first; the raw trace is
// left in /tmp/trace.json (chrome://tracing, Perfetto). Run it under the bench lock:
//
//   flock /tmp/mandel-bench.lock node bench/web_trace.mjs [path/to/mandel]    VIEW=home
//
// Tracing slows the load: compare events with each other, not its times with web_bench's.
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeFileSync } from 'node:fs';
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MANDEL = resolve(process.argv[2] || join(ROOT, 'build', 'mandel'));
const { chromium } = await import(pathToFileURL(join(ROOT, 'web/node_modules/playwright-core/index.mjs')).href);
const V = await import(pathToFileURL(join(ROOT, 'web', 'view.js')).href);
const { views, startServer, sleep, pageReader, COMPLETE } = await import(pathToFileURL(join(ROOT, 'bench', 'web_common.mjs')).href);
const name = process.env.VIEW || 'home';
const view = views(V, ROOT).find(([n]) => n === name);
if (!view) {
    console.error(`web_trace: unknown VIEW '${name}'`);
    process.exit(2);
}
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const ctx = await browser.newContext({ viewport: { width: 1920, height: 1080 }, deviceScaleFactor: 1 });
const page = await ctx.newPage();
const cdp = await ctx.newCDPSession(page);
const { js, until } = pageReader(cdp);
await page.goto('about:blank'); await sleep(3000);
const [server, base] = await startServer(MANDEL); await sleep(1000);
const events = [];
cdp.on('Tracing.dataCollected', (d) => events.push(...d.value));
const done = new Promise((ok) => cdp.once('Tracing.tracingComplete', ok));
await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline,toplevel,blink,cc,gpu,v8', transferMode: 'ReportEvents' });
await page.goto(base + V.hashFromState(view[1]));
await until(COMPLETE);
await cdp.send('Tracing.end'); await done;
server.kill('SIGTERM'); await browser.close();
writeFileSync('/tmp/trace.json', JSON.stringify(events));
// threads
const tn = new Map();
for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') tn.set(`${e.pid}:${e.tid}`, e.args.name);
const main = [...tn].filter(([, n]) => n === 'CrRendererMain').map(([k]) => k);
// sum of complete events with dur by name on main threads, depth-1 (top-level: RunTask children)
const sums = new Map();
for (const e of events) {
  const k = `${e.pid}:${e.tid}`; if (!main.includes(k) || e.ph !== 'X' || !e.dur) continue;
  sums.set(e.name, (sums.get(e.name) || 0) + e.dur / 1000);
}
console.log([...sums].sort((a, b) => b[1] - a[1]).slice(0, 40).map(([n, v]) => `${v.toFixed(1).padStart(8)} ms  ${n}`).join('\n'));
