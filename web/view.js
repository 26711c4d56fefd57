// view.js - the view's state, its exact moves, and its texts: the URL hash, the
// `mandel render` command line and Kalles Fraktaler .kfr files.
//
// The state holds the centre and the radius (or zoom) as the decimal texts the CLI reads;
// every move computes new texts exactly (decimal.js) from an anchor view and whole or
// 1/16 device pixels, so a link reloads as precisely the CLI view of its numbers.
//
// Invariant: stateFromHash(hashFromState(s)) equals s, and the command line names the view
// the page shows, option for option.

import * as D from './decimal.js';

export const HOME = Object.freeze({ re: '-0.75', im: '0', radius: '1.25', zoom: null,
                                    iterations: 1000 });
export const FORMULAS = ['mandelbrot', 'burning-ship', 'tricorn'];
export const COLORS = ['smooth', 'count', 'histogram', 'log', 'distance'];
export const MAX_ITER = 4294967295;
const SUB = 16; // moves are whole 1/16 pixels of the anchor

export function defaultState() {
    return { re: HOME.re, im: HOME.im, radius: HOME.radius, zoom: null,
             iterations: 'auto', formula: null, power: null, julia: null,
             palette: null, color: null, period: null, offset: null, interior: null, aa: 1 };
}

// The radius as a decimal: the given one, or 2/zoom to 20 digits (for the page's own
// arithmetic; the CLI and the server get the zoom text itself).
export function radiusOf(state) {
    if (state.zoom != null) return D.divSignificant(D.make(2), D.parse(state.zoom), 20);
    return D.parse(state.radius);
}

// floor(log10(2R/H)): the decimal exponent of one pixel.
export function pixelExponent(radius, height) {
    const step = D.divSignificant(D.mul(radius, D.make(2)), D.make(height), 3);
    return D.ilog10(step);
}

// The automatic iteration limit: 1000 down to a zoom of 10, then 300 more per decade of
// zoom (zoom = 2/radius), to two significant digits: 4900 at 1e14, 91000 at 1e300,
// 300000 at 1e1000. Deep views need more; the reference orbit costs this much.
export function autoIterations(radius) {
    const decades = Math.log10(2) - D.log10(radius);
    const n = 1000 + 300 * Math.max(0, decades - 1);
    const p = Math.pow(10, Math.max(0, Math.floor(Math.log10(n)) - 1));
    return Math.min(MAX_ITER, Math.round(n / p) * p);
}

export function iterationsOf(state) {
    return state.iterations === 'auto' ? autoIterations(radiusOf(state)) : state.iterations;
}

// The colouring mode the CLI uses: smooth for cycling palettes, count for the ranged ones.
export function colorOf(state, cyclic) {
    return state.color || (cyclic ? 'smooth' : 'count');
}
export function paletteOf(state) {
    return state.palette || (state.color === 'distance' ? 'grey' : 'default');
}

// The decimal place a move rounds a coordinate to: six digits below a pixel of the new
// view, or the coordinate's own last digit if finer (its text keeps trailing zeros, so it
// says how exact it is), but at most 40 digits below a pixel. So a move and its reverse
// give back the coordinate's text's value exactly.
function placeOf(text, pixelExp) {
    return Math.max(Math.min(pixelExp - 6, D.parse(text).e), pixelExp - 40);
}

// New centre texts: the centre plus (nx, ny) / (8 H) plane units (x right, y down; nx and
// ny are decimals: the radius times sixteenths of a pixel), rounded (placeOf) for a view
// of radius `newRadius`.
function offsetCentre(state, height, nx, ny, newRadius) {
    const p = pixelExponent(newRadius, height);
    const den = D.make(height * SUB / 2);
    // Round the new coordinate as a whole, (C * den + n) / den: rounding only the step
    // would not bring a move and its reverse back to C.
    const move = (c, n) =>
        D.format(D.div(D.add(D.mul(D.parse(c), den), n), den, placeOf(c, p)), true);
    const re = D.isZero(nx) ? state.re : move(state.re, nx);
    const im = D.isZero(ny) ? state.im : move(state.im, D.neg(ny));
    return { re, im };
}

const times = (r, n) => D.mul(r, D.make(n));

// The state panned by (dx, dy) whole device pixels of a height-H view (content moves
// left when dx > 0: the view's centre goes right). Exact up to rounding six digits below
// the pixel; the radius is unchanged.
export function pan(state, height, dx, dy) {
    if (!Number.isInteger(dx) || !Number.isInteger(dy)) throw new Error('pan by whole pixels');
    const r = radiusOf(state);
    return { ...state, ...offsetCentre(state, height, times(r, SUB * dx), times(r, SUB * dy), r) };
}

function scaledRadius(r, scale) {
    const nr = D.divSignificant(r, D.parse(String(Number(scale.toPrecision(12)))), 6);
    if (D.isZero(nr)) throw new Error('radius underflow');
    return nr;
}

// The state zoomed by `factor` (> 1 in) about the point (px, py) in device pixels from the
// view's centre (x right, y down; snapped to 1/16 pixel): that point stays where it is.
// The new radius R' is R / factor to 6 significant digits; the centre moves by
// (1 - R'/R) * (px, py) pixels, i.e. by (R - R') * (px, py) * 2 / H plane units.
export function zoomAt(state, height, px, py, factor) {
    if (!(factor > 0) || !Number.isFinite(factor)) throw new Error('bad zoom factor');
    const r = radiusOf(state);
    const nr = scaledRadius(r, factor);
    const d = D.sub(r, nr);
    const c = offsetCentre(state, height, times(d, Math.round(px * SUB)),
                           times(d, Math.round(py * SUB)), nr);
    return { ...state, ...c, radius: D.format(nr), zoom: null };
}

// The state centred on (qx, qy) device pixels from the current centre (may be fractional,
// snapped to 1/16) with the radius divided by `scale`: the view a settled gesture ends on.
export function recentre(state, height, qx, qy, scale) {
    const r = radiusOf(state);
    const nr = scale === 1 ? r : scaledRadius(r, scale);
    const c = offsetCentre(state, height, times(r, Math.round(qx * SUB)),
                           times(r, Math.round(qy * SUB)), nr);
    const out = { ...state, ...c };
    if (scale !== 1) { out.radius = D.format(nr); out.zoom = null; }
    return out;
}

// The plane point under (px, py) device pixels from the centre (snapped to 1/16 pixel),
// as texts with digits down to a hundredth of a pixel (Julia mode's c, the status line).
export function pointAt(state, height, px, py) {
    const r = radiusOf(state);
    const e = pixelExponent(r, height) - 2;
    const den = D.make(height * SUB / 2);
    const at = (c, n) => D.format(D.div(D.add(D.mul(D.parse(c), den), n), den, e, 0));
    return { re: at(state.re, times(r, Math.round(px * SUB))),
             im: at(state.im, D.neg(times(r, Math.round(py * SUB)))) };
}

export function zoomText(state) {
    if (state.zoom != null) return D.formatShort(D.parse(state.zoom), 3);
    return D.formatShort(D.divSignificant(D.make(2), D.parse(state.radius), 4), 3);
}

// The status line's words for a deep view still preparing, from /api/progress's answer
// ({phase, fraction}; null before the first) and the seconds it has waited.
export function prepText(p, seconds) {
    const s = `(${seconds.toFixed(0)} s)`;
    const f = p && Number.isFinite(p.fraction) ? Math.min(1, Math.max(0, p.fraction)) : null;
    const pct = f === null ? null : Math.floor(f * 100);
    if (p && p.phase === 'orbit' && pct !== null) return `computing reference orbit ${pct}% ${s}`;
    if (p && p.phase === 'bla' && pct !== null) return `building the approximation table ${pct}% ${s}`;
    if (p && p.phase === 'ready') return `rendering the first tiles… ${s}`;
    return `computing reference orbit… ${s}`;
}

// ---- checks shared by the URL and .kfr readers -------------------------------------

function checkPair(text) {
    const parts = String(text).split(',');
    if (parts.length !== 2 || !D.isDecimal(parts[0]) || !D.isDecimal(parts[1]))
        throw new Error('expected RE,IM');
    return parts;
}
function checkPositive(text) {
    if (!D.isDecimal(text) || D.sign(D.parse(text)) <= 0) throw new Error('must be above 0');
    return text;
}
function checkInt(text, lo, hi) {
    if (!/^\d{1,10}$/.test(text) || Number(text) < lo || Number(text) > hi)
        throw new Error(`must be ${lo}..${hi}`);
    return Number(text);
}
function checkNumber(text, lo, hi, open) {
    const v = Number(text);
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) || !Number.isFinite(v) ||
        (open ? !(v > lo) : v < lo) || v > hi)
        throw new Error(open ? 'must be above 0' : `must be ${lo}..${hi}`);
    return text;
}

// URL hash keys (the CLI's long option names) and their readers.
const READERS = {
    center(s, v) { [s.re, s.im] = checkPair(v); },
    radius(s, v) { s.radius = checkPositive(v); s.zoom = null; },
    zoom(s, v) { s.zoom = checkPositive(v); s.radius = null; },
    iterations(s, v) { s.iterations = v === 'auto' ? 'auto' : checkInt(v, 1, MAX_ITER); },
    formula(s, v) {
        if (!FORMULAS.includes(v)) throw new Error('unknown formula');
        s.formula = v === 'mandelbrot' ? null : v;
    },
    power(s, v) { const p = checkInt(v, 2, 64); s.power = p === 2 ? null : p; },
    julia(s, v) { s.julia = checkPair(v).join(','); },
    palette(s, v) {
        if (!/^[a-z][a-z0-9-]{0,31}$/.test(v)) throw new Error('unknown palette');
        s.palette = v;
    },
    color(s, v) {
        if (!COLORS.includes(v)) throw new Error('unknown mode');
        s.color = v;
    },
    'palette-period'(s, v) { s.period = checkNumber(v, 0, 1e300, true); },
    'palette-offset'(s, v) { s.offset = checkNumber(v, 0, 1, false); },
    interior(s, v) {
        if (!/^#[0-9a-fA-F]{6}$/.test(v)) throw new Error('expected #rrggbb');
        s.interior = v.toLowerCase();
    },
    aa(s, v) { s.aa = checkInt(v, 1, 8); },
};

// "#center=..&radius=.." -> {state, errors}: a bad value is named in errors and ignored.
export function stateFromHash(hash) {
    const state = defaultState();
    const errors = [];
    const text = hash.startsWith('#') ? hash.slice(1) : hash;
    for (const part of text.split('&')) {
        if (part === '') continue;
        const eq = part.indexOf('=');
        let key, value;
        try {
            key = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
            value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
        } catch {
            errors.push('bad escape in the URL');
            continue;
        }
        if (key === 'centre') key = 'center';
        if (key === 'colour') key = 'color';
        const read = Object.hasOwn(READERS, key) ? READERS[key] : null;
        if (read === null) {
            errors.push(`unknown key '${key.slice(0, 30)}'`);
            continue;
        }
        try {
            read(state, value);
        } catch (err) {
            errors.push(`${key}: ${err.message}`);
        }
    }
    return { state, errors };
}

// The view's options in the CLI's order: [name, value] pairs (no size, no output).
export function options(state, { iterations = true } = {}) {
    const o = [['center', `${state.re},${state.im}`]];
    if (state.zoom != null) o.push(['zoom', state.zoom]);
    else o.push(['radius', state.radius]);
    if (iterations) o.push(['iterations', String(state.iterations)]);
    if (state.palette) o.push(['palette', state.palette]);
    if (state.formula) o.push(['formula', state.formula]);
    if (state.power) o.push(['power', String(state.power)]);
    if (state.julia) o.push(['julia', state.julia]);
    if (state.color) o.push(['color', state.color]);
    if (state.period != null) o.push(['palette-period', state.period]);
    if (state.offset != null) o.push(['palette-offset', state.offset]);
    if (state.interior) o.push(['interior', state.interior]);
    if (state.aa > 1) o.push(['aa', String(state.aa)]);
    return o;
}

// The anchor's parameters for /tile: the view without the colouring.
export function tileQuery(state) {
    const keep = new Set(['center', 'radius', 'zoom', 'formula', 'power', 'julia']);
    const o = options(state, { iterations: false }).filter(([k]) => keep.has(k));
    o.splice(2, 0, ['iterations', String(iterationsOf(state))]);
    return o.map(([k, v]) => `${k}=${enc(v)}`).join('&');
}

// The colouring's parameters for a coloured /tile (format=png): what options() gives of it.
export function colourQuery(state) {
    const keep = new Set(['palette', 'color', 'palette-period', 'palette-offset', 'interior']);
    return options(state).filter(([k]) => keep.has(k)).map(([k, v]) => `${k}=${enc(v)}`)
        .join('&');
}

// Where view b (height hb) sits relative to view a (height ha): its centre at (cx, cy)
// pixels of a (x right, y down) and its pixels k pixels of a wide; approximate (doubles),
// for placing a's picture under b's while b renders. null when they are too far apart.
export function relation(a, ha, b, hb) {
    const ra = radiusOf(a), rb = radiusOf(b);
    const k = Math.pow(10, D.log10(rb) - D.log10(ra)) * ha / hb;
    const px = D.divSignificant(D.mul(ra, D.make(2)), D.make(ha), 20);
    const off = (x, y) => {
        const d = D.sub(D.parse(y), D.parse(x));
        return D.isZero(d) ? 0 : D.toNumber(D.divSignificant(d, px, 17));
    };
    const cx = off(a.re, b.re), cy = -off(a.im, b.im);
    if (!(k > 1e-6 && k < 1e6) || !(Math.abs(cx) < 1e7 && Math.abs(cy) < 1e7)) return null;
    return { cx, cy, k };
}

const enc = (v) => encodeURIComponent(v).replace(/%2C/g, ',');

export function hashFromState(state) {
    return '#' + options(state).map(([k, v]) => `${k}=${enc(v)}`).join('&');
}

// Query parameters (no '?') for the server: the view with a numeric iteration limit.
export function query(state, extra = []) {
    const o = options(state, { iterations: false });
    o.splice(2, 0, ['iterations', String(iterationsOf(state))]);
    return o.concat(extra).map(([k, v]) => `${k}=${enc(v)}`).join('&');
}

function shellQuote(v) {
    return /^[A-Za-z0-9_.,+:=\/-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`;
}

// `mandel render ...` for this view at width x height.
export function commandLine(state, width, height, output = 'mandel.png') {
    const o = options(state, { iterations: false });
    o.splice(2, 0, ['size', `${width}x${height}`], ['iterations', String(iterationsOf(state))]);
    return 'mandel render ' + o.map(([k, v]) => `--${k} ${shellQuote(v)}`).join(' ') +
        ' -o ' + shellQuote(output);
}

// ---- Kalles Fraktaler .kfr ---------------------------------------------------------

const KFR_KEYS = ['Re', 'Im', 'Zoom', 'Iterations'];

// .kfr text -> state (the rest of `base` kept): as strict as the library's io/kfr.c.
export function parseKfr(text, base = defaultState()) {
    if (text.length > 16 << 20) throw new Error('a .kfr is at most 16 MiB');
    const values = {};
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
        const line = lines[i].replace(/^[ \t\r]+|[ \t\r]+$/g, '');
        if (line === '') continue;
        const m = /^([A-Za-z0-9_]+):[ \t\r]*(.*)$/.exec(line);
        if (m === null) throw new Error(`line ${i + 1}: expected 'Key: value'`);
        if (!KFR_KEYS.includes(m[1])) continue;
        if (m[1] in values) throw new Error(`line ${i + 1}: ${m[1]} given twice`);
        const v = m[2];
        const ok = m[1] === 'Iterations'
            ? /^\d{1,10}$/.test(v) && Number(v) >= 1 && Number(v) <= MAX_ITER
            : D.isDecimal(v) && (m[1] !== 'Zoom' || D.sign(D.parse(v)) > 0);
        if (!ok) throw new Error(`line ${i + 1}: ${m[1]} '${v.slice(0, 40)}' is not ` +
            (m[1] === 'Iterations' ? 'a whole number 1..4294967295'
                : m[1] === 'Zoom' ? 'a number above 0' : 'a finite number'));
        values[m[1]] = v;
    }
    for (const k of KFR_KEYS) if (!(k in values)) throw new Error(`missing key ${k}`);
    return { ...base, re: values.Re, im: values.Im, zoom: values.Zoom, radius: null,
             iterations: Number(values.Iterations), formula: null, power: null, julia: null };
}

// The view as a .kfr (what `mandel render --save-location` writes).
export function writeKfr(state) {
    const zoom = state.zoom != null ? state.zoom
        : D.format(D.divSignificant(D.make(2), D.parse(state.radius), 17));
    return `Re: ${state.re}\r\nIm: ${state.im}\r\nZoom: ${zoom}\r\n` +
        `Iterations: ${iterationsOf(state)}\r\n`;
}
