// tiles.js: which tiles cover the screen, their placement, assembling them, and that the
// scheduler cancels tiles nobody needs any more.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Layer, Scheduler, visibleTiles, screenX, screenY, gatherVisible, pickVisible, painted, TILE,
         MAX_IN_FLIGHT, previewSize, tileSize }
    from '../tiles.js';

const view = (sw, sh, cx = 0, cy = 0, z = 1) => ({ sw, sh, cx, cy, z });
const keys = (list) => list.map(([x, y]) => `${x},${y}`).sort();

test('tiles divide a view evenly, at most TILE a side', () => {
    assert.equal(TILE, 1024);
    assert.deepEqual(tileSize(1920, 1080), [960, 540]);
    assert.deepEqual(tileSize(1024, 1025), [1024, 513]);
    assert.deepEqual(tileSize(1, 1), [1, 1]);
    for (const [w, h] of [[1920, 1080], [641, 479], [3840, 2160], [1000, 7], [257, 513], [2049, 1025]]) {
        const [tw, th] = tileSize(w, h);
        assert.ok(tw <= TILE && th <= TILE, `${w}x${h}`);
        // as few tiles as TILE x TILE would need, covering the view with less than a tile's
        // row or column to spare
        assert.equal(Math.ceil(w / tw), Math.ceil(w / TILE));
        assert.equal(Math.ceil(h / th), Math.ceil(h / TILE));
        assert.ok(Math.ceil(w / tw) * tw - w < Math.ceil(w / tw), `${w}x${h}`);
        assert.ok(Math.ceil(h / th) * th - h < Math.ceil(h / th), `${w}x${h}`);
    }
    const L = new Layer('q', 1920, 1080, 1, 'smooth');
    assert.match(L.url(3, 2), /&tile=3,2&tile-size=960x540&/);
});

test('the tiles of an unmoved view are those covering 0..W-1 x 0..H-1', () => {
    const L = new Layer('q', 1920, 1080, 1, 'smooth');
    const t = visibleTiles(L, view(1920, 1080));
    assert.equal(t.length, 2 * 2);
    assert.deepEqual(keys(t).slice(0, 2), ['0,0', '0,1']);
    assert.ok(t.every(([x, y]) => x >= 0 && x < 2 && y >= 0 && y < 2));
    assert.equal(screenX(L, view(1920, 1080), 256), 256);
    assert.equal(screenY(L, view(1920, 1080), 0), 0);
    // Odd sizes: pixel 0's left edge still at screen 0.
    const O = new Layer('q', 641, 479, 1, 'smooth');
    assert.equal(screenX(O, view(641, 479), 0), 0);
    assert.equal(screenY(O, view(641, 479), 479), 479);
    assert.equal(visibleTiles(O, view(641, 479)).length, 1);
    assert.equal(visibleTiles(new Layer('q', 1100, 479, 1, 'smooth'), view(1100, 479)).length, 2);
});

test('panning by whole pixels asks for the tiles beyond the edges, negative ones too', () => {
    const L = new Layer('q', 2048, 2048, 1, 'smooth');
    assert.deepEqual(keys(visibleTiles(L, view(2048, 2048, -1, 0))),
                     ['-1,0', '-1,1', '0,0', '0,1', '1,0', '1,1']);
    assert.deepEqual(keys(visibleTiles(L, view(2048, 2048, 1024, 1024))),
                     ['1,1', '2,1', '1,2', '2,2'].sort());
    assert.equal(screenX(L, view(2048, 2048, 10, 0), 0), -10);
});

test('a preview layer (1/8 size) and a zoomed view', () => {
    const P = new Layer('q', 240, 135, 1080 / 135, 'smooth');
    assert.deepEqual(keys(visibleTiles(P, view(1920, 1080))), ['0,0']);
    assert.ok(Math.abs(screenX(P, view(1920, 1080), 240) - 1920) < 1e-9);
    const L = new Layer('q', 4096, 4096, 1, 'smooth');
    assert.deepEqual(keys(visibleTiles(L, view(4096, 4096, 0, 0, 4))), ['1,1', '1,2', '2,1', '2,2']);
});

test('rebase: a layer seen from a zoomed-in anchor', () => {
    const L = new Layer('q', 1000, 1000, 1, 'smooth');
    L.rebase(100, -50, 0.5);       // new anchor centred at (100, -50), pixels half as wide
    assert.deepEqual([L.dx, L.dy, L.k], [-200, 100, 2]);
    // The old centre pixel edge lands where it was on the screen before the zoom.
    const before = 500 + (0 - 100) * 2, after = screenX(L, view(1000, 1000), 500);
    assert.equal(after, before);
});

test('gatherVisible assembles the screen from tiles, row-major, or null if one is missing', () => {
    const L = new Layer('q', 300, 260, 1, 'counts');
    for (const [tx, ty] of visibleTiles(L, view(300, 260, 5, 3))) {
        const { tw, th } = L;
        const d = new Uint32Array(tw * th);
        for (let r = 0; r < th; r++)
            for (let c = 0; c < tw; c++) d[r * tw + c] = (ty * th + r + 1000) * 10000 + tx * tw + c + 1000;
        L.tiles.set(`${tx},${ty}`, { data: d });
    }
    const out = gatherVisible(L, view(300, 260, 5, 3));
    assert.equal(out.length, 300 * 260);
    for (const [x, y] of [[0, 0], [299, 0], [0, 259], [250, 252], [299, 259]])
        assert.equal(out[y * 300 + x], (y + 3 + 1000) * 10000 + x + 5 + 1000);
    const xs = [0, 7, 255, 256, 299], ys = [0, 200, 259];
    assert.deepEqual(pickVisible(L, view(300, 260, 5, 3), xs, ys),
                     ys.flatMap((y) => xs.map((x) => out[y * 300 + x])));
    L.tiles.delete('1,1');
    assert.equal(gatherVisible(L, view(300, 260, 5, 3)), null);
    assert.equal(pickVisible(L, view(300, 260, 5, 3), xs, ys), null);
    assert.deepEqual(pickVisible(L, view(300, 260, 5, 3), [0], [0]), [out[0]]);
});

test('the scheduler fetches the wanted tiles and aborts the ones no longer wanted', async () => {
    const started = [], aborted = [];
    const fetcher = (url, { signal }) => new Promise((ok, fail) => {
        started.push(url);
        signal.addEventListener('abort', () => { aborted.push(url); fail(new Error('abort')); });
        if (url.includes('tile=3,0')) setTimeout(() => ok({ ok: true, status: 200,
            arrayBuffer: async () => new ArrayBuffer(L.tw * L.th * 4) }), 5);
    });
    const got = [];
    const s = new Scheduler((layer, tx, ty, t, err) => got.push([tx, ty, err ? 'err' : 'ok']), fetcher);
    const L = new Layer('center=0,0&radius=1&iterations=10', 8192, 256, 1, 'smooth');
    s.want([[L, visibleTiles(L, view(8192, 256))]]);
    assert.equal(started.length, MAX_IN_FLIGHT);     // at most five at once
    assert.equal(MAX_IN_FLIGHT, 5);                  // a connection left for /api/progress
    assert.ok(started[0].startsWith('/tile?center=0,0&radius=1&iterations=10&size=8192x256&tile='));
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(got, [[3, 0, 'ok']]);
    assert.ok(L.tiles.get('3,0').data instanceof Float32Array);
    s.want([[L, [[3, 0]]]]);                         // the view moved: only 3,0 still needed
    assert.equal(aborted.length, started.length - 1);
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(got.length, 1, 'aborted tiles are not reported');
    assert.equal(s.pending(), 0);
});

test('painted counts visible tiles on the canvas, not tiles merely fetched', () => {
    const L = new Layer('q', 2048, 256, 1, 'smooth');
    const v = view(2048, 256);
    assert.deepEqual(painted(L, v), [0, 2]);
    L.tiles.set('0,0', { data: new Float32Array(1), image: null });
    L.tiles.set('1,0', { data: new Float32Array(1), image: {} });
    assert.deepEqual(painted(L, v), [1, 2]);
    L.tiles.get('0,0').image = {};
    assert.deepEqual(painted(L, v), [2, 2]);
    // A tile off the screen does not count; one that comes into sight does.
    L.tiles.set('5,0', { data: new Float32Array(1), image: {} });
    assert.deepEqual(painted(L, v), [2, 2]);
    assert.deepEqual(painted(L, view(2048, 256, 1, 0)), [2, 3]);
});

test('the next tile is asked for before the arrived one is handed on (coloured)', async () => {
    const started = [];
    const fetcher = (url) => new Promise((ok) => {
        started.push(url);
        if (started.length === 1) setTimeout(() => ok({ ok: true, status: 200,
            arrayBuffer: async () => new ArrayBuffer(TILE * TILE * 4) }), 1);
    });
    let seen = -1;
    const s = new Scheduler(() => { seen = started.length; }, fetcher);
    const L = new Layer('q', 7 * TILE, TILE, 1, 'smooth');
    s.want([[L, visibleTiles(L, view(7 * TILE, TILE))]]);
    assert.equal(started.length, MAX_IN_FLIGHT);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(seen, MAX_IN_FLIGHT + 1, 'the next request went out before the first tile was handed on');
});

test('the coarse preview is one tile that covers the screen, at least 8x coarser', () => {
    assert.deepEqual(previewSize(1920, 1080), [240, 135]);
    for (const [W, H] of [[800, 500], [1200, 800], [2400, 1600], [3840, 2160], [2048, 1001],
                          [1001, 2048], [5000, 300], [300, 5000], [1, 1], [17, 9], [641, 479]]) {
        const [w, h] = previewSize(W, H);
        assert.ok(w <= TILE && h <= TILE && h <= Math.ceil(H / 8), `${W}x${H}: ${w}x${h}`);
        assert.ok(w * H / h >= W, `${W}x${H}: ${w}x${h} is narrower than the screen`);
        const P = new Layer('q', w, h, H / h, 'smooth');
        assert.deepEqual(keys(visibleTiles(P, view(W, H))), ['0,0'], `${W}x${H}: ${w}x${h}`);
    }
    // Before, 800x500 took 100x63 (k = 7.94): a screen 6 pixels wider than the preview,
    // slivers of tiles on both sides.
    const old = new Layer('q', 100, 63, 500 / 63, 'smooth');
    assert.deepEqual(keys(visibleTiles(old, view(800, 500))), ['-1,0', '0,0', '1,0']);
});
