// view.js: exact moves, the URL, the command line and .kfr files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as V from '../view.js';
import * as D from '../decimal.js';

const deep = readFileSync(new URL('../../tests/data/deep/near-i-1e1000.kfr', import.meta.url),
                         'latin1');
const same = (a, b, msg) => {
    assert.ok(D.equal(D.parse(a.re), D.parse(b.re)), msg + ' re');
    assert.ok(D.equal(D.parse(a.im), D.parse(b.im)), msg + ' im');
};

test('pan by +n then -n returns exactly (home, 1e-10, 1e1000)', () => {
    const starts = [V.defaultState(),
        { ...V.defaultState(), re: '-0.7436438870371587', im: '0.1318259042053119', radius: '1e-10' },
        V.pan(V.parseKfr(deep), 1080, 1, 1)];
    for (const s of starts) {
        for (const [dx, dy] of [[1, 0], [0, -1], [123, -45], [-1919, 1079]]) {
            for (const h of [1080, 800, 1234]) {
                const p = V.pan(s, h, dx, dy);
                assert.notEqual(p.re + p.im, s.re + s.im);
                same(V.pan(p, h, -dx, -dy), s, `pan ${dx},${dy} at ${h}`);
            }
        }
    }
});

test('pan moves the centre by exactly n pixels of 2R/H, to six digits below a pixel', () => {
    const s = V.defaultState();
    const p = V.pan(s, 1080, 7, 3);
    assert.equal(p.re, '-0.733796296');     // -0.75 + 7 * 2.5 / 1080
    assert.equal(p.im, '-0.006944444');     // -3 * 2.5 / 1080
    const k = V.parseKfr(deep);
    const q = V.pan(k, 1080, 1, 0);
    const step = D.divSignificant(D.mul(V.radiusOf(k), D.make(2)), D.make(1080), 30);
    const moved = D.sub(D.parse(q.re), D.parse(k.re));
    const err = D.sub(moved, step);
    assert.ok(D.ilog10(D.parse(q.re)) >= -1000);
    assert.ok(D.isZero(err) || D.ilog10(err) < D.ilog10(step) - 5, 'off by under 1e-5 pixel');
});

test('zoom in about a pixel, then out about it, returns exactly', () => {
    const starts = [V.defaultState(),
        { ...V.defaultState(), re: '-0.743643887037158704752191506114774', im: '0.131825904205311970493132056385139', radius: '3e-30' },
        V.pan(V.parseKfr(deep), 1080, 1, 1)];
    for (const s of starts) {
        for (const [px, py] of [[0, 0], [100, -50], [-959.5, 539.5], [3.25, 7.0625]]) {
            for (const f of [2, 4, 10]) {
                const z = V.zoomAt(s, 1080, px, py, f);
                assert.ok(D.cmp(D.parse(z.radius), V.radiusOf(s)) < 0);
                const back = V.zoomAt(z, 1080, px, py, 1 / f);
                same(back, s, `zoom ${f} at ${px},${py}`);
                assert.ok(D.equal(D.parse(back.radius), V.radiusOf(s)));
            }
        }
    }
});

test('zoom keeps the point under the pointer', () => {
    const s = V.defaultState();
    const z = V.zoomAt(s, 800, 100, -50, 2);
    assert.deepEqual([z.re, z.im, z.radius], ['-0.593750000', '0.078125000', '0.625']);
    for (const [t, f, px, py] of [[s, 2, 100, -50], [V.pan(V.parseKfr(deep), 1080, 3, 4), 3, -500, 70]]) {
        const a = V.pointAt(t, 1080, px, py), b = V.pointAt(V.zoomAt(t, 1080, px, py, f), 1080, px, py);
        const px1 = D.divSignificant(D.mul(V.radiusOf(t), D.make(2)), D.make(1080), 5);
        for (const k of ['re', 'im']) {
            const d = D.sub(D.parse(a[k]), D.parse(b[k]));
            assert.ok(D.isZero(d) || D.ilog10(d) <= D.ilog10(px1) - 2, 'within 1/100 pixel');
        }
    }
});

test('recentre: a settled gesture', () => {
    const s = V.defaultState();
    const r = V.recentre(s, 800, 40, 0, 1);
    assert.deepEqual(V.pan(s, 800, 40, 0), r);
    const z = V.recentre(s, 800, 0, 0, 2);
    assert.equal(z.radius, '0.625');
});

test('URL hash round trip, every option', () => {
    const s = { ...V.defaultState(), re: '-1.7400623825793399052', im: '0.0281753397792110489',
        radius: '1e-300', iterations: 91000, formula: 'tricorn', power: 3,
        julia: '-0.8,0.156', palette: 'viridis', color: 'histogram', period: '3.5',
        offset: '0.25', interior: '#204060', aa: 3 };
    const h = V.hashFromState(s);
    assert.ok(h.startsWith('#center=-1.7400623825793399052,0.0281753397792110489&radius=1e-300&iterations=91000'), h);
    assert.ok(h.includes('interior=%23204060'));
    const back = V.stateFromHash(h);
    assert.deepEqual(back.errors, []);
    assert.deepEqual(back.state, s);
    const k = V.parseKfr(deep);
    assert.deepEqual(V.stateFromHash(V.hashFromState(k)).state, k);
    const a = V.stateFromHash('#center=-0.75,0&radius=1.25&iterations=auto').state;
    assert.deepEqual(a, V.defaultState());
});

test('URL: bad values are named and ignored', () => {
    const { state, errors } = V.stateFromHash(
        '#center=1,2,3&radius=-1&zoom=abc&iterations=0&formula=x&power=65&aa=9&palette=..%2F&color=zz&palette-offset=2&interior=red&evil=1&radius=%ZZ');
    assert.equal(errors.length, 13, errors.join('\n'));
    assert.deepEqual(state, V.defaultState());
});

test('command line names the view', () => {
    const s = { ...V.defaultState(), iterations: 5000, palette: 'viridis', interior: '#204060',
        julia: '-0.8,0.156' };
    assert.equal(V.commandLine(s, 1920, 1080),
        "mandel render --center -0.75,0 --radius 1.25 --size 1920x1080 --iterations 5000 " +
        "--palette viridis --julia -0.8,0.156 --interior '#204060' -o mandel.png");
    assert.equal(V.commandLine(V.defaultState(), 1200, 800),
        'mandel render --center -0.75,0 --radius 1.25 --size 1200x800 --iterations 1000 -o mandel.png');
    const k = V.parseKfr(deep);
    assert.ok(V.commandLine(k, 64, 48).includes(' --zoom 1e1000 --size 64x48 --iterations 16000 '));
    assert.ok(V.query(k).includes('&zoom=1e1000&iterations=16000'));
});

test('.kfr: parse, write, parse again', () => {
    const k = V.parseKfr(deep);
    assert.equal(k.zoom, '1e1000');
    assert.equal(k.iterations, 16000);
    assert.ok(k.re.startsWith('-2.1826145315958775463635827219047500785829823923689971'));
    assert.deepEqual(V.parseKfr(V.writeKfr(k)), k);
    const s = { ...V.defaultState(), radius: '1.25e-20', iterations: 7000 };
    const w = V.writeKfr(s);
    assert.equal(w, 'Re: -0.75\r\nIm: 0\r\nZoom: 160000000000000000000\r\nIterations: 7000\r\n');
    assert.equal(V.parseKfr(w).zoom, '160000000000000000000');
});

test('.kfr: strict like the library', () => {
    const ok = 'Re: 0\nIm: 0\nZoom: 1\nIterations: 100\n';
    assert.equal(V.parseKfr(ok + 'Period: 5\r\nColors: 1,2,3,\n').iterations, 100);
    for (const [bad, why] of [['Re: 0\nIm: 0\nZoom: 1\n', /missing key Iterations/],
        [ok + 'Re: 1\n', /Re given twice/], [ok.replace('Zoom: 1', 'Zoom: 0'), /above 0/],
        [ok.replace('100', '0'), /whole number/], [ok.replace('100', '4294967296'), /whole number/],
        [ok.replace('Re: 0', 'Re: nan'), /finite/], ['junk\n' + ok, /line 1/]])
        assert.throws(() => V.parseKfr(bad), why);
});

test('automatic iterations rise with depth', () => {
    const n = (r) => V.autoIterations(D.parse(r));
    assert.equal(n('1.25'), 1000);
    assert.ok(n('1e-14') > 1000 && n('1e-300') > n('1e-14') && n('1e-1000') > n('1e-300'));
    assert.equal(V.iterationsOf(V.defaultState()), 1000);
});

test('tile query: the view without colouring; relation between views', () => {
    const s = { ...V.defaultState(), palette: 'viridis', color: 'count', julia: '0.1,0.2' };
    assert.equal(V.tileQuery(s), 'center=-0.75,0&radius=1.25&iterations=1000&julia=0.1,0.2');
    const z = V.zoomAt(V.defaultState(), 800, 100, -50, 2);
    const r = V.relation(V.defaultState(), 800, z, 800);
    assert.ok(Math.abs(r.cx - 50) < 1e-9 && Math.abs(r.cy + 25) < 1e-9 && Math.abs(r.k - 0.5) < 1e-12);
    const far = V.relation(V.defaultState(), 800, V.parseKfr(deep), 800);
    assert.equal(far, null);
});

test('the status line of a deep view preparing, from /api/progress', () => {
    assert.equal(V.prepText(null, 1.2), 'computing reference orbit… (1 s)');
    assert.equal(V.prepText({ phase: 'orbit', fraction: 0.4567 }, 3), 'computing reference orbit 45% (3 s)');
    assert.equal(V.prepText({ phase: 'bla', fraction: 1 }, 3), 'building the approximation table 100% (3 s)');
    assert.equal(V.prepText({ phase: 'ready', fraction: 1 }, 4.6), 'rendering the first tiles… (5 s)');
    assert.equal(V.prepText({ phase: 'waiting', fraction: 0 }, 1), 'computing reference orbit… (1 s)');
    // Whatever the server says, the text stays sane.
    assert.equal(V.prepText({ phase: 'orbit', fraction: 7 }, 1), 'computing reference orbit 100% (1 s)');
    assert.equal(V.prepText({ phase: 'orbit', fraction: 'x' }, 1), 'computing reference orbit… (1 s)');
});
