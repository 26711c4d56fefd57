// color.js - data tiles (float32 smooth values, uint32 counts, float32 distances) to RGB,
// byte for byte as the library's src/color/color.c and the CLI's pipeline do.
//
// Every step is the C code's, in the same order and precision: doubles throughout (JS
// numbers), the histogram's cdf in float32 (Math.fround), lrint() rounding half to even,
// the range mapping's trunc(t * 256). The library is built without FMA contraction, so
// a + f * (b - a) rounds twice there as here. log1p/log10 (the log and distance modes)
// come from the JS engine's libm, which may differ from glibc's in the last bit: those two
// modes may differ by one step of a channel in rare pixels; the others are exact.

export const HISTOGRAM_BINS = 1024;
const DEFAULT_PERIOD = 8;

// A palette table as /api/info gives it: 1536 hex digits ("rrggbb" * 256) or the base64
// of its 768 bytes -> Uint8Array(768).
export function parseTable(text) {
    const t = new Uint8Array(768);
    if (typeof text === 'string' && /^[0-9a-fA-F]{1536}$/.test(text)) {
        for (let i = 0; i < 768; i++) t[i] = parseInt(text.substr(2 * i, 2), 16);
        return t;
    }
    if (typeof text === 'string' && /^[A-Za-z0-9+/]{1024}$/.test(text)) {
        const bin = atob(text);
        for (let i = 0; i < 768; i++) t[i] = bin.charCodeAt(i);
        return t;
    }
    throw new Error('a palette table is 1536 hex digits or 1024 base64 characters');
}

// "#rrggbb" -> [r, g, b], or null.
export function parseColor(text) {
    const m = /^#([0-9a-fA-F]{2})([0-9a-fA-F]{2})([0-9a-fA-F]{2})$/.exec(text || '');
    return m ? [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)] : null;
}

// C's lrint() in the default rounding mode: nearest, ties to even.
export function lrint(x) {
    const r = Math.round(x);
    return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

// What the data tiles must hold for a colouring mode.
export function dataKind(mode) {
    return mode === 'count' ? 'counts' : mode === 'distance' ? 'distance' : 'smooth';
}

// Whether a colouring needs the whole picture's values (a range, histogram or log: the page
// colours data tiles then); the others the server colours a tile at a time (format=png).
export function wholePicture(cyclic, mode) {
    return mode !== 'distance' && (mode === 'histogram' || mode === 'log' || !cyclic);
}

// The colouring the CLI applies for (palette, --color mode), as color.c's mandel_color:
// palette = {table: Uint8Array(768), cyclic: bool}; mode one of smooth, count, histogram,
// log, distance; maxIter the iteration limit.
export function makeColoring(palette, mode, maxIter, opts = {}) {
    let mapping = palette.cyclic ? 'cycle' : 'range';
    if (mode === 'histogram') mapping = 'histogram';
    if (mode === 'log') mapping = 'log';
    return {
        table: palette.table, mapping, mode, maxIter,
        lo: 0, hi: maxIter,
        period: opts.period > 0 ? opts.period : DEFAULT_PERIOD,
        // No period given: the picture's own (autoPeriod, in survey), as the CLI does.
        autoPeriod: mapping === 'cycle' && mode !== 'distance' && !(opts.period > 0),
        offset: opts.offset || 0,
        interior: opts.interior || [0, 0, 0],
        cdf: null,
    };
}

// Whether colouring needs the whole picture's data first (pipeline.c's whole_field).
// A cycling palette with no period given needs it too: its period comes from a lattice of
// the picture's values (autoPeriod).
export function needsSurvey(c) {
    return c.mode !== 'distance' && (c.mapping === 'range' || c.mapping === 'histogram' ||
                                     c.mapping === 'log' || c.autoPeriod);
}

export const PERIOD_LATTICE = 64;

// color.c's mandel_color_auto_period(): if the escaped values from their 1st to their
// 99.9th percentile (nearest rank, on sqrt(v - 1)) span less than one turn of the default
// period 8, two turns across them; else 8; 8 with fewer than 16 escaped values.
export function autoPeriod(values, maxIter) {
    const s = [];
    for (const v of values) if (v < maxIter) s.push(Math.sqrt(v > 1 ? v - 1 : 0));
    if (s.length < 16) return DEFAULT_PERIOD;
    s.sort((a, b) => a - b);
    const m = s.length;
    const spread = s[Math.floor((m - 1) * 999 / 1000)] - s[Math.floor((m - 1) / 100)];
    return spread > 0 && spread < DEFAULT_PERIOD ? spread / 2 : DEFAULT_PERIOD;
}

// The lattice picture.c's choose_period() reads: at most PERIOD_LATTICE squared values of
// a width x (n / width) picture, sample (lattice(i, nx, w), lattice(k, ny, h)). Without a
// width (a provisional survey of scattered tiles), evenly spaced values of the data.
function latticeOf(data, width) {
    const n = data.length;
    const out = [];
    if (!(width > 0)) {
        const step = Math.max(1, Math.ceil(n / (PERIOD_LATTICE * PERIOD_LATTICE)));
        for (let i = 0; i < n; i += step) out.push(Math.fround(data[i]));
        return out;
    }
    const [xs, ys] = latticePositions(width, Math.floor(n / width));
    for (const y of ys) for (const x of xs) out.push(Math.fround(data[y * width + x]));
    return out;
}

// The columns and rows of a width x height picture that choose_period() reads: [xs, ys].
export function latticePositions(width, height) {
    const at = (i, k, size) => Math.floor((2 * i + 1) * size / (2 * k));
    const nx = Math.min(width, PERIOD_LATTICE), ny = Math.min(height, PERIOD_LATTICE);
    return [Array.from({ length: nx }, (_, i) => at(i, nx, width)),
            Array.from({ length: ny }, (_, k) => at(k, ny, height))];
}

// Whether the survey reads only the lattice (a cycling palette's own period): then the
// page need not gather the whole picture (surveyLattice).
export function surveysLattice(c) {
    return c.mode !== 'distance' && c.mapping === 'cycle' && c.autoPeriod;
}

// survey() of a cycling palette from the lattice's values, row by row (latticePositions).
export function surveyLattice(c, values) {
    c.period = autoPeriod(values.map(Math.fround), c.maxIter);
}

function binOf(c, v) {
    const t = c.hi > c.lo ? (v - c.lo) / (c.hi - c.lo) : 0;
    const b = t * HISTOGRAM_BINS;
    if (!(b > 0)) return 0;
    return b >= HISTOGRAM_BINS ? HISTOGRAM_BINS - 1 : Math.trunc(b);
}

// pipeline.c's survey(): lo/hi (and the histogram's cdf) of the whole picture's data.
// `data` is the picture's values (Float32Array, or Uint32Array of counts in count mode),
// row-major, exactly the pixels of the picture, `width` of them a row (0: scattered tiles,
// for a provisional survey).
export function survey(c, data, width = 0) {
    const n = data.length;
    if (c.autoPeriod) c.period = autoPeriod(latticeOf(data, width), c.maxIter);
    if (c.mapping === 'histogram') {
        let lo = Infinity, hi = -Infinity;
        for (let i = 0; i < n; i++) {
            const v = data[i];
            if (!(v < c.maxIter)) continue;
            if (v < lo) lo = v;
            if (v > hi) hi = v;
        }
        if (lo > hi) lo = hi = 0;
        c.lo = lo;
        c.hi = hi;
        const counts = new Float64Array(HISTOGRAM_BINS);
        let total = 0;
        for (let i = 0; i < n; i++) {
            if (!(data[i] < c.maxIter)) continue;
            counts[binOf(c, data[i])] += 1;
            total += 1;
        }
        const cdf = new Float32Array(HISTOGRAM_BINS + 1);
        let run = 0;
        for (let b = 0; b < HISTOGRAM_BINS; b++) {
            run += counts[b];
            cdf[b + 1] = total > 0 ? Math.fround(run / total) : 0;
        }
        c.cdf = cdf;
    } else if (c.mapping === 'log') {
        let lo = Infinity, hi = -Infinity;
        for (let i = 0; i < n; i++) {
            const v = data[i];
            if (!(v < c.maxIter)) continue;
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
        c.lo = lo <= hi ? lo : 0;
        c.hi = lo <= hi ? hi : 0;
    } else if (c.mode === 'count') {
        if (n === 0) return;
        let lo = data[0], hi = data[0];
        for (let i = 1; i < n; i++) {
            if (data[i] < lo) lo = data[i];
            if (data[i] > hi) hi = data[i];
        }
        c.lo = lo;
        c.hi = hi;
    } else {
        if (n === 0) return;
        let lo = Infinity, hi = -Infinity;
        for (let i = 0; i < n; i++) {
            const v = data[i];
            if (!Number.isFinite(v)) continue;
            if (v < lo) lo = v;
            if (v > hi) hi = v;
        }
        if (lo > hi) lo = hi = 0;
        c.lo = lo;
        c.hi = hi;
    }
}

// What of a survey the colours depend on, for comparing two surveys: equal keys, equal
// colours (a cycling palette reads only its period; the histogram its cdf too).
export function surveyKey(c) {
    if (c.mode === 'distance') return '';
    if (c.mapping === 'cycle') return `${c.period}`;
    return `${c.lo} ${c.hi}` + (c.mapping === 'histogram' && c.cdf ? ` ${c.cdf.join(' ')}` : '');
}

function rangeIndex(v, lo, hi) {
    if (!(hi > lo) || !(v > lo)) return 0;
    if (v >= hi) return 255;
    const idx = Math.trunc((v - lo) / (hi - lo) * 256.0);
    return idx > 255 ? 255 : idx;
}

function lookup(c, t, cyclic, out, o) {
    if (!(t > 0)) t = 0;
    if (t > 1) t = 1;
    const x = t * (cyclic ? 256.0 : 255.0);
    let i = Math.trunc(x);
    const f = x - i;
    i &= 255;
    const j = cyclic ? (i + 1) & 255 : (i < 255 ? i + 1 : 255);
    const tb = c.table;
    for (let ch = 0; ch < 3; ch++) {
        const a = tb[3 * i + ch], b = tb[3 * j + ch];
        out[o + ch] = lrint(a + f * (b - a));
    }
}

function interior(c, out, o) {
    out[o] = c.interior[0];
    out[o + 1] = c.interior[1];
    out[o + 2] = c.interior[2];
}

function colorValue(c, v, out, o) {
    if (c.mapping === 'range') {
        const k = 3 * rangeIndex(v, c.lo, c.hi);
        out[o] = c.table[k];
        out[o + 1] = c.table[k + 1];
        out[o + 2] = c.table[k + 2];
        return;
    }
    if (!(v < c.maxIter)) return interior(c, out, o);
    if (c.mapping === 'cycle') {
        const pos = Math.sqrt(v > 1 ? v - 1 : 0) / c.period + c.offset;
        return lookup(c, pos - Math.floor(pos), true, out, o);
    }
    if (c.mapping === 'log') {
        const span = c.hi - c.lo;
        const t = span > 0 ? Math.log1p(Math.max(v - c.lo, 0)) / Math.log1p(span) : 0;
        return lookup(c, t, false, out, o);
    }
    if (c.mapping === 'histogram' && c.cdf) {
        const b = binOf(c, v);
        const span = c.hi - c.lo;
        const x = span > 0 ? (v - c.lo) / span * HISTOGRAM_BINS - b : 0;
        const f = x < 0 ? 0 : x > 1 ? 1 : x;
        const t = c.cdf[b] + f * (c.cdf[b + 1] - c.cdf[b]);
        return lookup(c, t, false, out, o);
    }
    interior(c, out, o);
}

// Colours n = data.length values into out (RGBA when stride is 4, RGB when 3), starting at
// out[start]; alpha is set to 255. In distance mode the data are distances in pixels.
export function colorize(c, data, out, stride = 4, start = 0) {
    const n = data.length;
    let o = start;
    if (c.mode === 'distance') {
        for (let i = 0; i < n; i++, o += stride) {
            const d = data[i];
            if (!(d > 0)) interior(c, out, o);
            else lookup(c, Math.log10(1.0 + d) / 2.0, false, out, o);
            if (stride === 4) out[o + 3] = 255;
        }
        return;
    }
    if (c.mapping === 'cycle') return colorizeCycle(c, data, out, stride, start);
    for (let i = 0; i < n; i++, o += stride) {
        colorValue(c, data[i], out, o);
        if (stride === 4) out[o + 3] = 255;
    }
}

// lrint() of a channel value y in 0..255, without a call or an unpredictable branch:
// (y + 0.5) | 0 is floor(y + 0.5), which is lrint(y) except at a tie y = k + 1/2 (it gives
// k + 1, odd or not) and at y = 1/2 - 2^-54 (y + 0.5 rounds up to 1). There, and only there,
// r - y is 0.5 (exact for y >= 1/2, Sterbenz; rounded to 0.5 at 1/2 - 2^-54), and the even
// one of r and r - 1 is the answer.
export function rint8(y) {
    const r = (y + 0.5) | 0;
    return r - y === 0.5 ? r & ~1 : r;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

// colorValue() and lookup() of a cycling palette, inlined: the page colours every pixel
// this way by default (2 million at 1920x1080), and the calls per pixel and channel were
// most of the time. The same operations in the same order; RGBA goes out as one 32-bit
// store a pixel (45 -> 18 ns a pixel in node).
function colorizeCycle(c, data, out, stride, start) {
    const n = data.length, tb = c.table, maxIter = c.maxIter, period = c.period;
    const offset = c.offset, [ir, ig, ib] = c.interior;
    const words = stride === 4 && LITTLE_ENDIAN && (out.byteOffset + start) % 4 === 0
        ? new Uint32Array(out.buffer, out.byteOffset + start, n) : null;
    for (let i = 0, o = start; i < n; i++, o += stride) {
        const v = data[i];
        let r = ir, g = ig, b = ib;
        if (v < maxIter) {
            const pos = Math.sqrt(v > 1 ? v - 1 : 0) / period + offset;
            let t = pos - Math.floor(pos);
            if (!(t > 0)) t = 0;
            if (t > 1) t = 1;
            const x = t * 256.0;
            const k = Math.trunc(x);
            const f = x - k;
            const p = 3 * (k & 255), q = 3 * ((k + 1) & 255);
            r = rint8(tb[p] + f * (tb[q] - tb[p]));
            g = rint8(tb[p + 1] + f * (tb[q + 1] - tb[p + 1]));
            b = rint8(tb[p + 2] + f * (tb[q + 2] - tb[p + 2]));
        }
        if (words) {
            words[i] = ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0;
        } else {
            out[o] = r;
            out[o + 1] = g;
            out[o + 2] = b;
            if (stride === 4) out[o + 3] = 255;
        }
    }
}
