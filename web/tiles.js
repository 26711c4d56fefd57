// tiles.js - which tiles the screen needs, fetching them (cancelled when no longer
// needed), and drawing layers of tiles onto the canvas.
//
// An anchor is a CLI view (centre, radius, W x H device pixels, iterations, formula); its
// tiles are tw x th rects of that view extended beyond its edges (docs/server.md), so
// panning only asks for the tiles that come into sight. The tiles divide the view evenly
// (tileSize: 1920x1080 is 2 x 2 tiles of 960x540), so no pixel is computed beyond it until
// a pan shows it (tiles of 256 x 256 cover 2048x1280, a quarter more work), and few
// requests carry them (each costs the browser a few ms of CPU). A layer is one anchor's
// tiles placed relative to the current anchor: its centre at (dx, dy) current-anchor pixels and
// its pixels `k` current-anchor pixels wide. The full layer has dx = dy = 0, k = 1; its
// coarse preview is the same view at 1/8 of the size (k ~ 8); the layers of the previous
// view stay underneath, scaled, until the new one is complete: the screen is never blank.
//
// Invariant: with the view unmoved (centre offset 0, scale 1) the full layer's tiles are
// drawn 1:1 at whole device pixels, so the canvas shows exactly the tiles' pixels.

export const TILE = 1024;       // the largest tile side (the server's tile_max, /api/info)
const PREVIEW_TILE = 256;       // the coarse preview's largest side
export const PREVIEW = 8;

// The coarse preview's size [w, h] for a W x H view: at least PREVIEW times coarser, as
// wide as the screen (w * H / h >= W: its height sets its pixels' size) and one tile at
// most. Two tiles would hold both of the server's render threads on the preview's own
// reference orbit while the full view's waited behind them (a 1e1086 link at 800x500
// asked for a sliver tile at -1: its first full tile came after two orbits, 12 s not 6).
export function previewSize(W, H) {
    for (let f = PREVIEW; ; f++) {
        const h = Math.ceil(H / f), w = Math.ceil(W * h / H);
        if ((w <= PREVIEW_TILE && h <= PREVIEW_TILE) || h === 1) return [w, h];
    }
}
// The tile size [tw, th] for a w x h layer: the fewest tiles of at most TILE a side that
// cover it, as equal as whole pixels allow.
export function tileSize(w, h) {
    return [Math.ceil(w / Math.ceil(w / TILE)), Math.ceil(h / Math.ceil(h / TILE))];
}

// Tile requests at once: one fewer than the browser's 6 connections to a host, so the
// status line's /api/progress is not queued behind tiles waiting for a reference orbit.
export const MAX_IN_FLIGHT = 5;

// The tile columns (or rows) of `size` pixels covering anchor columns from..to (inclusive).
export function tileRange(from, to, size) {
    return [Math.floor(from / size), Math.floor(to / size)];
}

// Tiles [tx, ty] of a w x h layer whose pixels are k screen pixels, seen through a
// screen of sw x sh pixels whose centre is at (cx, cy) layer... in anchor pixels, with the
// layer centred at (dx, dy) anchor pixels; ordered from the screen's centre outwards.
export function visibleTiles(layer, view) {
    const { w, h, k, dx, dy } = layer;
    const { sw, sh, cx, cy, z } = view;
    // Anchor coordinates of the screen's edges, then the layer's columns there.
    const ax0 = cx - sw / 2 / z, ax1 = cx + sw / 2 / z;
    const ay0 = cy - sh / 2 / z, ay1 = cy + sh / 2 / z;
    const col = (a) => (a - dx) / k + w / 2, row = (a) => (a - dy) / k + h / 2;
    const eps = 1e-9;
    const [tx0, tx1] = tileRange(Math.floor(col(ax0) + eps), Math.ceil(col(ax1) - eps) - 1,
                                 layer.tw);
    const [ty0, ty1] = tileRange(Math.floor(row(ay0) + eps), Math.ceil(row(ay1) - eps) - 1,
                                 layer.th);
    const mx = (col(cx) / layer.tw) - 0.5, my = (row(cy) / layer.th) - 0.5;
    const out = [];
    for (let ty = ty0; ty <= ty1; ty++)
        for (let tx = tx0; tx <= tx1; tx++) out.push([tx, ty]);
    out.sort((a, b) => Math.hypot(a[0] - mx, a[1] - my) - Math.hypot(b[0] - mx, b[1] - my));
    return out;
}

// Where the layer pixel column c (left edge) lands on the screen, and the row likewise.
export function screenX(layer, view, c) {
    return view.sw / 2 + (layer.dx + (c - layer.w / 2) * layer.k - view.cx) * view.z;
}
export function screenY(layer, view, r) {
    return view.sh / 2 + (layer.dy + (r - layer.h / 2) * layer.k - view.cy) * view.z;
}

// One anchor's tiles. `query` is the anchor's parameters (view.js query()); `kind` the
// data (smooth, counts, distance) the page colours, or 'png': pictures the server coloured
// with the colouring's parameters `colours` (view.js colourQuery()).
export class Layer {
    constructor(query, w, h, k, kind, colours = '') {
        this.query = query;
        this.w = w;
        this.h = h;
        this.k = k;
        this.dx = 0;
        this.dy = 0;
        this.kind = kind;
        this.colours = colours;
        [this.tw, this.th] = tileSize(w, h);
        this.tiles = new Map(); // "tx,ty" -> {data, canvas, abort, failed}
    }
    url(tx, ty) {
        return `/tile?${this.query}&size=${this.w}x${this.h}&tile=${tx},${ty}` +
            `&tile-size=${this.tw}x${this.th}` + (this.kind === 'png'
            ? `&format=png${this.colours ? '&' + this.colours : ''}` : `&data=${this.kind}`);
    }
    // Re-expresses the layer relative to a new anchor whose centre is at (cx, cy) pixels
    // of the current one and whose pixels are `k` current pixels wide.
    rebase(cx, cy, k) {
        this.dx = (this.dx - cx) / k;
        this.dy = (this.dy - cy) / k;
        this.k /= k;
    }
    cancel(keep = null) {
        for (const [key, t] of this.tiles) {
            if (t.data || (keep && keep.has(key))) continue;
            if (t.abort) t.abort.abort();
            this.tiles.delete(key);
        }
    }
}

// Fetches the tiles of the layers it is given, at most MAX_IN_FLIGHT at once, the most
// wanted first; tiles no layer wants any more are aborted.
export class Scheduler {
    constructor(onTile, fetcher = (u, o) => fetch(u, o)) {
        this.onTile = onTile;
        this.fetcher = fetcher;
        this.queue = [];    // [layer, tx, ty]
        this.inFlight = 0;
        this.errors = 0;
    }
    // `wanted`: [[layer, [[tx, ty], ...]], ...] in order of priority.
    want(wanted) {
        const keep = new Map();
        this.queue = [];
        for (const [layer, tiles] of wanted) {
            const set = new Set();
            for (const [tx, ty] of tiles) {
                const key = `${tx},${ty}`;
                set.add(key);
                const t = layer.tiles.get(key);
                if (!t || (!t.data && !t.abort && !t.failed)) this.queue.push([layer, tx, ty]);
            }
            keep.set(layer, set);
        }
        for (const [layer, set] of keep) layer.cancel(set);
        this.layers = keep;
        this.pump();
    }
    dropLayer(layer) {
        layer.cancel();
        this.queue = this.queue.filter((q) => q[0] !== layer);
    }
    pending() {
        let n = this.queue.length;
        for (const [layer, set] of this.layers || [])
            for (const key of set) if (layer.tiles.get(key)?.abort) n++;
        return n;
    }
    pump() {
        while (this.inFlight < MAX_IN_FLIGHT && this.queue.length > 0) {
            const [layer, tx, ty] = this.queue.shift();
            const key = `${tx},${ty}`;
            if (layer.tiles.has(key)) continue;
            const abort = new AbortController();
            const t = { data: null, image: null, abort, failed: false };
            layer.tiles.set(key, t);
            this.inFlight++;
            this.run(layer, tx, ty, t, abort.signal);
        }
    }
    // One tile: the next request goes out as soon as this one's data are here, before
    // onTile colours and draws them (the page's main thread must not keep the server idle).
    async run(layer, tx, ty, t, signal) {
        let data = null, error = null;
        try {
            data = await this.load(layer, t, layer.url(tx, ty), signal, 0);
        } catch (err) {
            error = err;
        }
        t.abort = null;
        this.inFlight--;
        if (data) t.data = data;
        else if (!signal.aborted) t.failed = true;
        this.pump();
        if (data) {
            this.errors = 0;
            this.onTile(layer, tx, ty, t);
        } else if (!signal.aborted) {
            this.errors++;
            this.onTile(layer, tx, ty, t, error);
        }
    }
    async load(layer, t, url, signal, attempt) {
        const res = await this.fetcher(url, { signal });
        if (res.status === 503 && attempt < 20) {
            const after = Math.min(5, Number(res.headers.get('Retry-After')) || 1);
            await new Promise((ok, fail) => {
                const timer = setTimeout(ok, after * 1000 * (0.5 + Math.random() / 2));
                signal.addEventListener('abort', () => {
                    clearTimeout(timer);
                    fail(new Error('aborted'));
                });
            });
            return this.load(layer, t, url, signal, attempt + 1);
        }
        if (!res.ok) {
            let why = `HTTP ${res.status}`;
            try { why = (await res.json()).error || why; } catch { /* not JSON */ }
            throw new Error(why);
        }
        if (layer.kind === 'png') {
            // Decoded off the main thread; its bytes as they are (no colour management).
            const bitmap = await createImageBitmap(await res.blob(),
                { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
            if (bitmap.width !== layer.tw || bitmap.height !== layer.th)
                throw new Error('a tile of the wrong size');
            return bitmap;
        }
        const buf = await res.arrayBuffer();
        if (buf.byteLength !== layer.tw * layer.th * 4) throw new Error('a tile of the wrong size');
        return layer.kind === 'counts' ? new Uint32Array(buf) : new Float32Array(buf);
    }
}

// Draws layers (bottom first) onto a 2D context; tiles are canvases of tw x th.
export function drawLayers(g, layers, view) {
    g.save();
    g.imageSmoothingEnabled = false;
    g.fillStyle = '#000';
    g.fillRect(0, 0, view.sw, view.sh);
    for (const layer of layers)
        for (const [key, t] of layer.tiles) drawTile(g, layer, view, key, t);
    g.restore();
}

// Draws one tile ("tx,ty") of a layer where it belongs; alone, on top of what the canvas
// holds, when the tile arrives and the view has not moved since the last drawLayers (the
// full layer is the top one: drawn again, the screen would be the same). A tile's picture
// is its ImageData (t.image, coloured by the page) or ImageBitmap (the server's colours);
// unscaled it goes straight onto the canvas (one copy a tile); scaled, a bitmap is drawn
// scaled, an ImageData through a canvas of its own, made when first needed (t.canvas,
// redone when t.drawn is not t.image's colouring).
export function drawTile(g, layer, view, key, t) {
    if (!t.image) return;
    const [tx, ty] = key.split(',').map(Number);
    const { tw, th } = layer;
    const x0 = screenX(layer, view, tx * tw), x1 = screenX(layer, view, (tx + 1) * tw);
    const y0 = screenY(layer, view, ty * th), y1 = screenY(layer, view, (ty + 1) * th);
    if (x1 < 0 || y1 < 0 || x0 > view.sw || y0 > view.sh) return;
    // Whole pixels when unscaled (exact), fractional while zooming.
    const unscaled = Math.abs(x1 - x0 - tw) < 1e-9 && Math.abs(y1 - y0 - th) < 1e-9;
    if (!(t.image instanceof ImageData)) {
        g.imageSmoothingEnabled = false;
        if (unscaled) g.drawImage(t.image, Math.round(x0), Math.round(y0));
        else g.drawImage(t.image, x0, y0, x1 - x0, y1 - y0);
        return;
    }
    if (unscaled) {
        g.putImageData(t.image, Math.round(x0), Math.round(y0));
        return;
    }
    if (!t.canvas || t.drawn !== t.colored) {
        t.canvas ||= Object.assign(document.createElement('canvas'), { width: tw, height: th });
        t.canvas.getContext('2d').putImageData(t.image, 0, 0);
        t.drawn = t.colored;
    }
    g.imageSmoothingEnabled = false;
    g.drawImage(t.canvas, x0, y0, x1 - x0, y1 - y0);
}

// [tiles on the canvas, tiles visible]: how many of the layer's visible tiles are painted.
export function painted(layer, view) {
    const vis = visibleTiles(layer, view);
    return [vis.filter(([x, y]) => layer.tiles.get(`${x},${y}`)?.image).length, vis.length];
}

// The layer pixel at the screen's top left corner (an unscaled full layer): [x0, y0].
function screenOrigin(layer, view) {
    return [Math.round(view.cx - view.sw / 2 + layer.w / 2),
            Math.round(view.cy - view.sh / 2 + layer.h / 2)];
}

// The values of the screen's pixels at columns xs and rows ys (screen pixels, of an unscaled
// full layer), row by row, or null while a tile they lie in is missing.
export function pickVisible(layer, view, xs, ys) {
    const [x0, y0] = screenOrigin(layer, view);
    const { tw, th } = layer;
    const out = [];
    for (const y of ys) {
        const ay = y0 + y, ty = Math.floor(ay / th);
        for (const x of xs) {
            const ax = x0 + x, tx = Math.floor(ax / tw);
            const t = layer.tiles.get(`${tx},${ty}`);
            if (!t?.data) return null;
            out.push(t.data[(ay - ty * th) * tw + (ax - tx * tw)]);
        }
    }
    return out;
}

// The layer's pixels inside the screen, row-major (for colourings that survey the whole
// picture: range, histogram, log), or null while a tile is missing. Only for an unscaled
// full layer (k = 1).
export function gatherVisible(layer, view) {
    const [x0, y0] = screenOrigin(layer, view);
    const { tw, th } = layer;
    const ty0 = Math.floor(y0 / th), ty1 = Math.floor((y0 + view.sh - 1) / th);
    const tx0 = Math.floor(x0 / tw), tx1 = Math.floor((x0 + view.sw - 1) / tw);
    // Asked after every tile while the view fills: look before allocating the picture.
    for (let ty = ty0; ty <= ty1; ty++)
        for (let tx = tx0; tx <= tx1; tx++) if (!layer.tiles.get(`${tx},${ty}`)?.data) return null;
    const out = layer.kind === 'counts' ? new Uint32Array(view.sw * view.sh)
        : new Float32Array(view.sw * view.sh);
    for (let ty = ty0; ty <= ty1; ty++) {
        for (let tx = tx0; tx <= tx1; tx++) {
            const t = layer.tiles.get(`${tx},${ty}`);
            const r0 = Math.max(0, y0 - ty * th), r1 = Math.min(th, y0 + view.sh - ty * th);
            const c0 = Math.max(0, x0 - tx * tw), c1 = Math.min(tw, x0 + view.sw - tx * tw);
            for (let r = r0; r < r1; r++) {
                const dst = (ty * th + r - y0) * view.sw + (tx * tw + c0 - x0);
                out.set(t.data.subarray(r * tw + c0, r * tw + c1), dst);
            }
        }
    }
    return out;
}
