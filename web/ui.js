// ui.js - the page: the controls, the status line, history, and the loop that turns the
// view into tiles on the canvas (tiles.js), coloured in the page (color.js).
//
// The anchor is the view the tiles belong to (its texts, W x H device pixels); `view` is
// where the screen is relative to it (tiles.js). Settled moves update the URL (pushState);
// a pan keeps the anchor, a zoom or a new place makes a new one and keeps the old picture
// underneath, scaled, until the new one is complete.

import * as V from './view.js';
import * as C from './color.js';
import * as D from './decimal.js';
import { Layer, Scheduler, visibleTiles, drawLayers, drawTile, gatherVisible, pickVisible,
         painted, TILE, previewSize, screenX, screenY }
    from './tiles.js';
import { Gestures } from './input.js';
import { PLACES } from './places.js';

const $ = (id) => document.getElementById(id);
const canvas = $('view');
const g = canvas.getContext('2d', { alpha: false });

let info = null;            // /api/info
const palettes = new Map(); // name -> {table, cyclic}
let state = V.defaultState();
let anchor = null;          // {state, W, H, full, preview, started, firstFull, prep, asking}
let backdrop = [];          // layers of earlier views, drawn underneath
const view = { sw: 1, sh: 1, cx: 0, cy: 0, z: 1 };
let coloring = null;
let surveyed = false;       // coloring's lo/hi/cdf come from the whole picture
let picking = false;
let frame = 0;
let progressTimer = 0;
let errorText = '';

const PREVIEW_MS = 150;     // the longest the full tiles wait for the coarse picture
const scheduler = new Scheduler(onTile);

// ---- colouring ----------------------------------------------------------------------

function paletteFor(s) {
    return palettes.get(V.paletteOf(s)) || palettes.get('default') || palettes.values().next().value;
}

function makeColoring() {
    const p = paletteFor(state);
    const mode = V.colorOf(state, p.cyclic);
    const interior = C.parseColor(state.interior) || [0, 0, 0];
    coloring = C.makeColoring(p, mode, V.iterationsOf(state), {
        period: state.period != null ? Number(state.period) : undefined,
        offset: state.offset != null ? Number(state.offset) : 0, interior });
    surveyed = false;
    if (C.needsSurvey(coloring) && anchor?.full.kind !== 'png') surveyFrom();
}

// The survey of the whole visible picture (an unscaled full layer): false while a tile it
// reads is missing.
function surveyWhole() {
    if (C.surveysLattice(coloring)) {
        // a cycling palette's period: 4096 values, not an 8 MB copy of the picture
        const values = pickVisible(anchor.full, view, ...C.latticePositions(view.sw, view.sh));
        if (values) C.surveyLattice(coloring, values);
        return values !== null;
    }
    const data = gatherVisible(anchor.full, view);
    if (data) C.survey(coloring, data, view.sw);
    return data !== null;
}

// Surveys the whole visible picture when its tiles are all here, else (unless `whole`) the
// preview's: the colouring until the last tile is here.
function surveyFrom(whole = false) {
    if (!anchor || !C.needsSurvey(coloring)) return;
    if (view.z === 1 && surveyWhole()) {
        surveyed = true;
        return;
    }
    if (whole) return;
    const parts = [...anchor.preview.tiles.values()].filter((t) => t.data).map((t) => t.data);
    if (parts.length === 0) return;
    const all = new (parts[0].constructor)(parts.reduce((n, d) => n + d.length, 0));
    parts.reduce((at, d) => (all.set(d, at), at + d.length), 0);
    C.survey(coloring, all);
}

function paint(layer, t) {
    if (!t.data) return;
    t.image ||= new ImageData(layer.tw, layer.th);
    C.colorize(coloring, t.data, t.image.data, 4);
    t.colored = (t.colored || 0) + 1; // a scaled drawing remakes the tile's canvas
}

function repaintAll() {
    for (const layer of layers())
        if (layer.kind === C.dataKind(coloring.mode))
            for (const t of layer.tiles.values()) paint(layer, t);
    redraw();
}

// ---- the view -----------------------------------------------------------------------

function layers() {
    return anchor ? [...backdrop, anchor.preview, anchor.full] : backdrop;
}

function deviceSize() {
    const dpr = window.devicePixelRatio || 1;
    return [Math.max(1, Math.round(canvas.clientWidth * dpr)),
            Math.max(1, Math.round(canvas.clientHeight * dpr))];
}

// What the tiles of state s are: pictures the server coloured ('png'), or, for colourings
// of the whole picture (range, histogram, log), the data the page colours (color.js).
function tileKind(s) {
    const p = paletteFor(s), mode = V.colorOf(s, p.cyclic);
    return C.wholePicture(p.cyclic, mode) ? C.dataKind(mode) : 'png';
}

// A new anchor for state s; rel = where s sits relative to the current anchor (or null).
function newAnchor(s, rel) {
    const [W, H] = deviceSize();
    if (canvas.width !== W || canvas.height !== H) {
        canvas.width = W;
        canvas.height = H;
    }
    const old = anchor;
    if (old) {
        scheduler.dropLayer(old.full);
        scheduler.dropLayer(old.preview);
        if (rel) {
            for (const layer of [...backdrop, old.preview, old.full])
                layer.rebase(rel.cx, rel.cy, rel.k);
            backdrop = [...backdrop, old.preview, old.full].filter((l) => l.tiles.size > 0)
                .slice(-4);
        } else {
            backdrop = [];
        }
    }
    state = s;
    const kind = tileKind(s);
    const q = V.tileQuery(s), colours = kind === 'png' ? V.colourQuery(s) : '';
    const [w, h] = previewSize(W, H);
    anchor = { state: s, W, H, colours, periodAsked: 0, full: new Layer(q, W, H, 1, kind, colours),
               preview: new Layer(q, w, h, H / h, kind, colours), started: performance.now(),
               firstFull: false, previewShown: false, blank: backdrop.length === 0 };
    Object.assign(stats, { view: stats.view + 1, started: anchor.started, coarse: null,
                           complete: null, incomplete: anchor.started });
    Object.assign(view, { sw: W, sh: H, cx: 0, cy: 0, z: 1 });
    makeColoring();
    request();
    // The first view's canvas is black already (just sized, no alpha): drawing it black
    // again cost a frame, the canvas's first hand-over to the compositor (24 ms here), just
    // before the coarse picture's (coarse 307 -> 251 ms at home, 260 -> 219 at 1e14).
    if (old) redraw();
    else noteDrawn();
    showState();
}

// Which tiles the screen needs now, preview first.
function request() {
    if (!anchor) return;
    const coarse = visibleTiles(anchor.preview, view);
    const wanted = [[anchor.preview, coarse]];
    const full = visibleTiles(anchor.full, view);
    // The coarse picture first (1/64 of the work: it must not wait behind full tiles on
    // the server's cores), then the full one; at the latest after PREVIEW_MS. Also at a
    // shallow view: sent at once, the full tiles reached the server before it on
    // connections already open (side by side, coarse 258 -> 191 ms, complete 574 -> 552).
    // Data tiles on a blank screen (the first view, a jump), only once the coarse picture
    // is on the canvas (noteDrawn asks again then): their bodies, read on the main thread,
    // held back the frame that shows it (side by side, 6 rounds: the home view's coarse
    // picture 247 -> 174 ms, complete 651 -> 630 ms). Not under an earlier view's picture
    // (a wheel notch: coarse 142 -> 131 ms, but complete 494 -> 537 ms), nor for PNG
    // tiles, decoded off the main thread (home complete 499 -> 445 ms, coarse the same).
    const coarseDone = coarse.every(([x, y]) => {
        const t = anchor.preview.tiles.get(`${x},${y}`);
        return t && (t.failed || (t.data && (anchor.previewShown || !anchor.blank || anchor.full.kind === 'png')));
    });
    const waited = performance.now() - anchor.started;
    if (view.z >= 0.5 && (coarseDone || waited >= PREVIEW_MS))
        wanted.push([anchor.full, full]);
    else if (view.z >= 0.5) {
        clearTimeout(anchor.fullTimer);
        anchor.fullTimer = setTimeout(request, PREVIEW_MS - waited + 1);
    }
    // Long pans: keep the tiles of about three screens, forget the farthest.
    if (anchor.full.tiles.size > 3 * full.length + 16) {
        const keep = new Set(full.map(([x, y]) => `${x},${y}`));
        const [mx, my] = full.length ? full[0] : [0, 0];
        const far = [...anchor.full.tiles.keys()].filter((k) => !keep.has(k))
            .map((k) => [k, ...k.split(',').map(Number)])
            .sort((a, b) => Math.hypot(b[1] - mx, b[2] - my) - Math.hypot(a[1] - mx, a[2] - my));
        for (const [k] of far.slice(0, anchor.full.tiles.size - 2 * full.length - 16))
            if (anchor.full.tiles.get(k).data) anchor.full.tiles.delete(k);
    }
    scheduler.want(wanted);
    progress();
}

function onTile(layer, tx, ty, t, err) {
    if (err) {
        errorText = err.message;
        progress();
        return;
    }
    if (!anchor || (layer !== anchor.full && layer !== anchor.preview)) return;
    if (layer === anchor.full && !anchor.firstFull) anchor.firstFull = true;
    if (layer === anchor.preview && view.z === 1) request(); // the full tiles may go now
    // The new view is complete: drop the old pictures underneath.
    if (layer === anchor.full && view.z === 1 && complete()) backdrop = [];
    if (layer.kind === 'png') {
        errorText = '';
        t.image = t.data;
        scheduleRedraw(layer, `${tx},${ty}`);
        progress();
        return;
    }
    if (layer.kind !== C.dataKind(coloring.mode)) return;
    errorText = '';
    if (C.needsSurvey(coloring) && !surveyed) {
        // A full tile can only complete the picture; the preview's survey stands till then.
        // Tiles coloured alike need no second colouring (at the home view, none).
        const before = C.surveyKey(coloring);
        surveyFrom(layer === anchor.full);
        if (C.surveyKey(coloring) !== before) {
            repaintAll();
            progress();
            return;
        }
    }
    paint(layer, t);
    scheduleRedraw(layer, `${tx},${ty}`);
    progress();
}

function complete() {
    return visibleTiles(anchor.full, view).every(([x, y]) => anchor.full.tiles.get(`${x},${y}`)?.data);
}

// The next frame draws everything again, or only the full layer's new tiles (ontop) when
// nothing else changed since the last full drawing: at 1920x1080 a full drawing per tile
// cost the page more than the server's work for the home view.
let ontop = [];
let whole = true;

// The first view's coarse picture goes on a canvas of its own (#first: the preview's size,
// stretched by the compositor, pixelated), shown until the main canvas is first drawn. The
// first drawing of a 1920x1080 canvas costs Chromium 40-90 ms here (its 8 MB touched for
// the first time; 2 ms at 240x135), which held back the first picture: side by side, the
// first coarse picture 180 -> 150 ms from navigation at home, 200 -> 158 at 1e14, the
// complete view the same. Touching the main canvas early, while the full tiles render,
// made the first picture later (coarse 158 -> 177 ms).
const first = $('first');
let canvasUsed = false;

// Draws the first view's coarse picture on #first: false (nothing done) unless it is the
// only thing to show, unmoved.
function drawFirst() {
    if (canvasUsed || !anchor?.blank) return false;
    const layer = anchor.preview, t = layer.tiles.get('0,0');
    if (ontop.length > 0 || !t?.image || view.z !== 1 ||
        view.cx !== 0 || view.cy !== 0 || visibleTiles(layer, view).length !== 1) return false;
    first.width = layer.tw;
    first.height = layer.th;
    const fg = first.getContext('2d', { alpha: false });
    if (t.image instanceof ImageData) fg.putImageData(t.image, 0, 0);
    else fg.drawImage(t.image, 0, 0);
    const dpr = window.devicePixelRatio || 1, px = (v) => `${v / dpr}px`;
    Object.assign(first.style, {
        left: px(screenX(layer, view, 0)), top: px(screenY(layer, view, 0)),
        width: px(layer.tw * layer.k), height: px(layer.th * layer.k) });
    first.hidden = false;
    return true;
}

function redraw() {
    if (!canvasUsed) { // #first goes in the frame that shows the canvas
        canvasUsed = true;
        first.hidden = true;
    }
    cancelAnimationFrame(frame);
    frame = 0;
    clearTimeout(batchTimer);
    batchTimer = 0;
    ontop = [];
    whole = false;
    drawLayers(g, layers(), view);
    noteDrawn();
}

// What the canvas shows now, for scripts (the browser test, bench/web_bench.mjs):
// body[data-view] is 'complete' once every visible full-resolution tile of the view is on
// the canvas (not merely fetched: it is drawn in the next animation frame), and
// window.__mandelStats holds the view's times in ms of performance.now() (0 = navigation):
// `started` (the view was asked for), `coarse` (the first of its pixels drawn), `complete`
// (the last time it became complete), `incomplete` (the last time it stopped being).
const stats = { view: 0, started: 0, coarse: null, complete: null, incomplete: 0 };
window.__mandelStats = stats;

function noteDrawn() {
    if (!anchor || errorText) return;
    const now = performance.now();
    if (stats.coarse === null && (painted(anchor.preview, view)[0] > 0 ||
                                  painted(anchor.full, view)[0] > 0))
        stats.coarse = now;
    const [shown, visible] = painted(anchor.preview, view);
    if (!anchor.previewShown && shown > 0 && shown === visible) {
        anchor.previewShown = true;
        if (view.z === 1) request(); // the full tiles may go now
    }
    const [have, want] = painted(anchor.full, view);
    const done = have === want && !anchor.periodOpen;
    const was = document.body.dataset.view === 'complete';
    if (done && !was) stats.complete = now;
    if (!done && was) stats.incomplete = now;
    document.body.dataset.view = done ? 'complete' : 'rendering';
}
// Full tiles of a view still filling go onto the canvas at most once every BATCH_MS, but
// the tile that completes the view at once: each frame that changes the canvas costs
// Chromium ~13 ms of the main thread and as much again in the compositor and GPU
// processes (17 frames for the 1e14 view's 13 tiles and its status line), CPU the server's
// renders wait for on 2 cores.
const BATCH_MS = 200;
let batchTimer = 0;
let lastTiles = -Infinity;

function scheduleRedraw(layer = null, key = null) {
    if (anchor && layer === anchor.full) {
        ontop.push(key);
        const wait = lastTiles + BATCH_MS - performance.now();
        if (!whole && !frame && wait > 0 && !complete()) {
            if (!batchTimer) batchTimer = setTimeout(() => { batchTimer = 0; nextFrame(); }, wait);
            return;
        }
    } else {
        whole = true;
    }
    nextFrame();
}

function nextFrame() {
    clearTimeout(batchTimer);
    batchTimer = 0;
    if (!frame) frame = requestAnimationFrame(() => {
        frame = 0;
        if (ontop.length) lastTiles = performance.now();
        if (whole) {
            if (!drawFirst()) return redraw();
            whole = false;
            return noteDrawn();
        }
        if (!canvasUsed) return redraw();
        for (const k of ontop) {
            const t = anchor.full.tiles.get(k);
            if (t) drawTile(g, anchor.full, view, k, t);
        }
        ontop = [];
        noteDrawn();
    });
}

// ---- status -------------------------------------------------------------------------

function short(text, n = 18) {
    return text.length > n ? text.slice(0, n) + '…' : text;
}

function currentState() {
    if (!anchor) return state;
    if (view.z === 1 && Number.isInteger(view.cx) && Number.isInteger(view.cy))
        return V.pan(anchor.state, anchor.H, view.cx, view.cy);
    return V.recentre(anchor.state, anchor.H, view.cx, view.cy, view.z);
}

function showState() {
    $('where').textContent = `centre ${short(state.re)}, ${short(state.im)}  zoom ${V.zoomText(state)}` +
        `  iterations ${V.iterationsOf(state)}${state.iterations === 'auto' ? ' (auto)' : ''}` +
        (state.julia ? `  Julia of ${short(state.julia, 30)}` : '');
    $('iterations').value = V.iterationsOf(state);
    $('auto').checked = state.iterations === 'auto';
    $('palette').value = V.paletteOf(state);
    $('color').value = V.colorOf(state, paletteFor(state).cyclic);
    $('period').value = state.period ?? '';
    $('offset').value = state.offset ?? '';
    $('interior').value = state.interior || '#000000';
    $('formula').value = state.formula || 'mandelbrot';
    $('power').value = state.power || 2;
    $('mandelbrot').disabled = !state.julia;
}

function progress() {
    clearTimeout(progressTimer);
    const el = $('progress');
    if (!anchor) return;
    el.classList.toggle('error', errorText !== '');
    if (errorText) {
        document.body.dataset.view = 'error';
        el.textContent = `— ${errorText}`;
        return;
    }
    const want = visibleTiles(anchor.full, view).length;
    const have = visibleTiles(anchor.full, view)
        .filter(([x, y]) => anchor.full.tiles.get(`${x},${y}`)?.data).length;
    if (have === want) {
        const ms = performance.now() - anchor.started;
        el.textContent = `— done in ${(ms / 1000).toFixed(2)} s`;
        return;
    }
    const waited = performance.now() - anchor.started;
    // Beyond double precision a view first needs its reference orbit: say so.
    const deep = D.log10(V.radiusOf(anchor.state)) < -12;
    if (deep && !anchor.firstFull && waited > 700) {
        askPreparation(anchor);
        el.textContent = `— ${V.prepText(anchor.prep, waited / 1000)}`;
    } else {
        el.textContent = `— rendering ${have}/${want} tiles`;
    }
    progressTimer = setTimeout(progress, 500);
}

// How far the server has prepared the anchor (reference orbit, BLA table): /api/progress,
// one request at a time; the answer is shown at the next progress().
function askPreparation(a) {
    if (a.asking) return;
    a.asking = true;
    fetch(`/api/progress?${a.full.query}&size=${a.W}x${a.H}`)
        .then((res) => (res.ok ? res.json() : null))
        .then((p) => { if (p) a.prep = p; })
        .catch(() => { /* the status line keeps its words */ })
        .finally(() => { a.asking = false; });
}

// ---- moves --------------------------------------------------------------------------

function go(s, { push = true, rel = undefined } = {}) {
    const r = rel !== undefined ? rel : anchor ? V.relation(anchor.state, anchor.H, s, anchor.H) : null;
    newAnchor(s, r);
    setHash(push);
}

function setHash(push) {
    const h = V.hashFromState(state);
    if (h === location.hash) return;
    if (push) history.pushState(null, '', h);
    else history.replaceState(null, '', h);
}

// The gesture rested: a pan keeps the anchor, anything else makes a new one.
function settle() {
    if (!anchor) return;
    if (view.z === 1) {
        view.cx = Math.round(view.cx);
        view.cy = Math.round(view.cy);
        state = V.pan(anchor.state, anchor.H, view.cx, view.cy);
        setHash(true);
        showState();
        if (C.needsSurvey(coloring) && anchor.full.kind !== 'png') {
            const before = C.surveyKey(coloring);
            surveyed = false;
            surveyFrom();
            if (C.surveyKey(coloring) !== before) repaintAll();
        }
        request();
        followPeriod();
        redraw();
        return;
    }
    const s = V.recentre(anchor.state, anchor.H, view.cx, view.cy, view.z);
    const qx = Math.round(view.cx * 16) / 16, qy = Math.round(view.cy * 16) / 16;
    go(s, { rel: { cx: qx, cy: qy, k: 1 / view.z } });
}

// After a pan the tiles are the anchor's, coloured with the anchor's period; a cycling
// palette with no period given takes the view's own (its lattice's, as the CLI chooses it),
// which a pan at a deep view can change. The server says (/api/period, the lattice of the
// anchor moved by the pan); if it changed, the full layer is asked for again with that period
// (recoloured from the server's cached data, nothing rendered again), the old one shown
// underneath till then. The view is not complete while the question is open.
function followPeriod() {
    const a = anchor;
    if (!a || a.full.kind !== 'png' || !coloring.autoPeriod) return;
    const cx = view.cx, cy = view.cy;
    const asked = ++a.periodAsked;
    a.periodOpen = true;
    fetch(`/api/period?${a.full.query}&size=${a.W}x${a.H}${a.colours ? '&' + a.colours : ''}` +
          `&lattice=${cx},${cy}`)
        .then((res) => (res.ok ? res.json() : null))
        .catch(() => null)
        .then((p) => {
            if (anchor !== a || asked !== a.periodAsked) return;
            a.periodOpen = false;
            const extra = !p || p.period === p.anchor ? '' : `palette-period=${p.period}`;
            if (extra !== (a.periodExtra || '')) {
                a.periodExtra = extra;
                const old = a.full;
                scheduler.dropLayer(old);
                backdrop = [...backdrop, old].filter((l) => l.tiles.size > 0).slice(-4);
                a.full = new Layer(old.query, a.W, a.H, 1, 'png',
                                   [a.colours, extra].filter(Boolean).join('&'));
                request();
            }
            redraw();
        });
}

function changeView(patch, push = true) {
    go({ ...currentState(), ...patch }, { push, rel: { cx: 0, cy: 0, k: 1 } });
}

function changeColoring(patch) {
    const s = { ...currentState(), ...patch };
    // The server's colours: new tiles of the same view, coloured from its cached data.
    if (tileKind(s) !== anchor.full.kind || anchor.full.kind === 'png') {
        changeView(patch, false);
        return;
    }
    state = s;
    anchor.state = { ...anchor.state, ...patch };
    makeColoring();
    repaintAll();
    setHash(false);
    showState();
}

function zoomButton(f) {
    const W = canvas.width, H = canvas.height;
    gestures.zoomAbout(W / 2, H / 2, f);
}

// ---- controls -----------------------------------------------------------------------

function option(select, value, text = value) {
    const o = document.createElement('option');
    o.value = value;
    o.textContent = text;
    select.appendChild(o);
}

function setupControls() {
    for (const p of info.palettes) option($('palette'), p.name);
    for (const m of info.colors || V.COLORS) option($('color'), m);
    for (const f of info.formulas || V.FORMULAS) option($('formula'), f);
    PLACES.forEach((p, i) => option($('places'), String(i), p.name));
    $('places').addEventListener('change', (e) => {
        const p = PLACES[Number(e.target.value)];
        e.target.value = '';
        if (!p) return;
        const s = { ...V.defaultState(), palette: state.palette, color: state.color,
                    period: state.period, offset: state.offset, interior: state.interior,
                    re: p.re, im: p.im, radius: p.radius || null, zoom: p.zoom || null,
                    iterations: p.iterations };
        go(s);
    });
    $('iterations').addEventListener('change', (e) => {
        const n = Number(e.target.value);
        if (Number.isInteger(n) && n >= 1 && n <= V.MAX_ITER) changeView({ iterations: n });
        else showState();
    });
    $('auto').addEventListener('change', (e) =>
        changeView({ iterations: e.target.checked ? 'auto' : V.iterationsOf(state) }));
    $('palette').addEventListener('change', (e) => changeColoring({ palette: e.target.value }));
    $('color').addEventListener('change', (e) => changeColoring({ color: e.target.value }));
    $('period').addEventListener('change', (e) => {
        const v = e.target.value;
        changeColoring({ period: v === '' || !(Number(v) > 0) ? null : v });
    });
    $('offset').addEventListener('change', (e) => {
        const v = e.target.value, n = Number(v);
        changeColoring({ offset: v === '' || !(n >= 0 && n <= 1) ? null : v });
    });
    $('interior').addEventListener('change', (e) =>
        changeColoring({ interior: e.target.value === '#000000' ? null : e.target.value }));
    $('formula').addEventListener('change', (e) =>
        changeView({ formula: e.target.value === 'mandelbrot' ? null : e.target.value }));
    $('power').addEventListener('change', (e) => {
        const n = Number(e.target.value);
        if (Number.isInteger(n) && n >= 2 && n <= 64) changeView({ power: n === 2 ? null : n });
        else showState();
    });
    $('julia-pick').addEventListener('click', () => {
        picking = !picking;
        document.body.classList.toggle('picking', picking);
    });
    $('mandelbrot').addEventListener('click', () => {
        const [re, im] = state.julia.split(',');
        go({ ...V.defaultState(), palette: state.palette, color: state.color, julia: null,
             formula: state.formula, power: state.power, re, im, radius: '0.05' });
    });
    $('home').addEventListener('click', home);
    $('zoom-in').addEventListener('click', () => zoomButton(2));
    $('zoom-out').addEventListener('click', () => zoomButton(0.5));
    $('fold').addEventListener('click', () => $('panel').classList.toggle('folded'));
    $('copy').addEventListener('click', copyCommand);
    $('save-go').addEventListener('click', savePicture);
    $('save').addEventListener('toggle', () => {
        if (!$('save-w').value) {
            $('save-w').value = canvas.width;
            $('save-h').value = canvas.height;
        }
    });
    $('open-kfr').addEventListener('click', () => $('kfr-file').click());
    $('kfr-file').addEventListener('change', (e) => {
        if (e.target.files[0]) openKfr(e.target.files[0]);
        e.target.value = '';
    });
    $('save-kfr').addEventListener('click', () =>
        download(URL.createObjectURL(new Blob([V.writeKfr(currentState())], { type: 'text/plain' })),
                 'mandel.kfr', true));
    window.addEventListener('dragover', (e) => {
        e.preventDefault();
        document.body.classList.add('dragging');
    });
    window.addEventListener('dragleave', () => document.body.classList.remove('dragging'));
    window.addEventListener('drop', (e) => {
        e.preventDefault();
        document.body.classList.remove('dragging');
        if (e.dataTransfer.files[0]) openKfr(e.dataTransfer.files[0]);
    });
}

function home() {
    go({ ...V.defaultState(), palette: state.palette, color: state.color, period: state.period,
         offset: state.offset, interior: state.interior });
}

function juliaAt(x, y) {
    const v = view, H = anchor.H;
    const p = V.pointAt(anchor.state, H, v.cx + (x - v.sw / 2) / v.z, v.cy + (y - v.sh / 2) / v.z);
    go({ ...V.defaultState(), palette: state.palette, color: state.color, period: state.period,
         offset: state.offset, interior: state.interior, formula: state.formula,
         power: state.power, julia: `${p.re},${p.im}`, re: '0', im: '0', radius: '1.5' });
}

function pick(x, y) {
    if (!picking) return false;
    picking = false;
    document.body.classList.remove('picking');
    juliaAt(x, y);
    return true;
}

async function openKfr(file) {
    try {
        if (file.size > 16 << 20) throw new Error('a .kfr is at most 16 MiB');
        const s = V.parseKfr(await file.text(), { ...V.defaultState(), palette: state.palette,
            color: state.color, period: state.period, offset: state.offset,
            interior: state.interior });
        go(s);
    } catch (err) {
        errorText = `${file.name}: ${err.message}`;
        progress();
    }
}

function download(href, name, revoke = false) {
    const a = document.createElement('a');
    a.href = href;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    if (revoke) setTimeout(() => URL.revokeObjectURL(href), 10000);
}

function savePicture() {
    const w = Number($('save-w').value), h = Number($('save-h').value);
    const fmt = $('save-format').value, aa = Number($('save-aa').value);
    const max = info.limits?.size || 65535;
    if (!(Number.isInteger(w) && Number.isInteger(h) && w >= 1 && h >= 1 && w <= max && h <= max)) {
        errorText = `picture size must be 1..${max} a side`;
        progress();
        return;
    }
    const s = { ...currentState(), aa };
    download(`/render?${V.query(s, [['size', `${w}x${h}`], ['format', fmt]])}`, `mandel.${fmt}`);
}

async function copyCommand() {
    const cmd = V.commandLine(currentState(), canvas.width, canvas.height);
    const field = $('command');
    field.value = cmd;
    field.hidden = false;
    field.select();
    try {
        await navigator.clipboard.writeText(cmd);
        $('copy').textContent = 'Copied';
        setTimeout(() => { $('copy').textContent = 'Copy command'; }, 1500);
    } catch {
        /* no clipboard (plain http): the selected field shows it */
    }
}

// ---- start --------------------------------------------------------------------------

let gestures;
let resizeTimer = 0;

async function start() {
    try {
        // The server puts /api/info into the page: no request, and no wait for one, before
        // the first tiles are asked for (their requests went out ~50 ms later).
        const inside = document.getElementById('info')?.textContent;
        if (inside) {
            info = JSON.parse(inside);
        } else {
            const res = await fetch('/api/info');
            if (!res.ok) throw new Error(`/api/info: HTTP ${res.status}`);
            info = await res.json();
        }
        for (const p of info.palettes)
            palettes.set(p.name, { table: C.parseTable(p.table), cyclic: !!p.cyclic });
        if (palettes.size === 0) throw new Error('/api/info lists no palettes');
        if ((info.tile_max ?? info.tile) < TILE)
            throw new Error(`tiles of at most ${info.tile_max ?? info.tile} pixels; this page ` +
                            `asks for ${TILE}`);
    } catch (err) {
        $('progress').textContent = `cannot talk to the server (${err.message})`;
        $('progress').classList.add('error');
        return;
    }
    setupControls();
    if (window.innerWidth < 900) $('panel').classList.add('folded');
    const { state: s, errors } = V.stateFromHash(location.hash);
    if (errors.length) errorText = `URL: ${errors.join('; ')}`;
    gestures = new Gestures(canvas, view, {
        redraw: () => { scheduleRedraw(); if (view.z === 1) request(); },
        settle, home, pick, julia: juliaAt,
    });
    newAnchor(s, null);
    setHash(false);
    if (errorText) progress();
    window.addEventListener('popstate', () => {
        const r = V.stateFromHash(location.hash);
        const rel = anchor ? V.relation(anchor.state, anchor.H, r.state, anchor.H) : null;
        newAnchor(r.state, rel);
    });
    window.addEventListener('resize', () => {
        clearTimeout(resizeTimer);
        resizeTimer = setTimeout(() => {
            const s = currentState();
            newAnchor(s, V.relation(anchor.state, anchor.H, s, deviceSize()[1]));
        }, 200);
    });
    canvas.focus();
}

start();
