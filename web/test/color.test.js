// color.js against the CLI: the fixtures (make-fixtures.sh) hold .npy data and the PPM the
// CLI coloured from the same view; colouring the data must give the PPM's bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseTable, makeColoring, survey, needsSurvey, colorize, lrint, parseColor,
         latticePositions, surveysLattice, surveyLattice, rint8 } from '../color.js';

const dir = new URL('./fixtures/', import.meta.url);
const palettes = JSON.parse(readFileSync(new URL('palettes.json', dir), 'utf8'));
const palette = (name) => ({ table: parseTable(palettes[name].table),
                             cyclic: palettes[name].cyclic });

function readNpy(name) {
    const b = readFileSync(new URL(name, dir));
    assert.equal(b.toString('latin1', 1, 6), 'NUMPY');
    const hl = b.readUInt16LE(8);
    const header = b.toString('latin1', 10, 10 + hl);
    const body = b.buffer.slice(b.byteOffset + 10 + hl, b.byteOffset + b.length);
    const shape = /'shape': \((\d+), (\d+)\)/.exec(header);
    assert.ok(shape, header);
    let data;
    if (header.includes("'<f4'")) data = new Float32Array(body);
    else {
        assert.ok(header.includes("'<u4'"), header);
        data = new Uint32Array(body);
    }
    data.width = Number(shape[2]); // survey() reads its lattice over width x height
    return data;
}

function readPpm(name) {
    const b = readFileSync(new URL(name, dir));
    const m = /^P6\n(\d+) (\d+)\n255\n/.exec(b.toString('latin1', 0, 32));
    assert.ok(m, name + ' is not a binary PPM');
    return b.subarray(m[0].length);
}

function check(npy, ppm, paletteName, mode, maxIter, opts) {
    const data = readNpy(npy), want = readPpm(ppm);
    const c = makeColoring(palette(paletteName), mode, maxIter, opts);
    if (needsSurvey(c)) survey(c, data, data.width);
    const got = new Uint8Array(data.length * 3);
    colorize(c, data, got, 3);
    let bad = 0, first = -1;
    for (let i = 0; i < got.length; i++) if (got[i] !== want[i]) { bad++; if (first < 0) first = i; }
    assert.equal(bad, 0, `${ppm}: ${bad} bytes differ, first at ${first}` +
        (first >= 0 ? ` (got ${got[first]}, want ${want[first]})` : ''));
    // and as the page colours, into an ImageData's RGBA
    const rgba = new Uint8ClampedArray(data.length * 4);
    colorize(c, data, rgba, 4);
    bad = 0;
    for (let i = 0; i < data.length; i++) {
        if (rgba[4 * i + 3] !== 255) bad++;
        for (let ch = 0; ch < 3; ch++) if (rgba[4 * i + ch] !== want[3 * i + ch]) bad++;
    }
    assert.equal(bad, 0, `${ppm}: ${bad} bytes differ in RGBA`);
}

test('lrint rounds half to even', () => {
    assert.deepEqual([0.5, 1.5, 2.5, 2.4999, 2.5001, 254.5, 255].map(lrint),
                     [0, 2, 2, 2, 3, 254, 255]);
});

test('rint8 is lrint on 0..255: ties, their neighbours, 1/2 - 2^-54, random values', () => {
    const next = (y, dir) => {
        const b = new DataView(new ArrayBuffer(8));
        b.setFloat64(0, y);
        b.setBigUint64(0, b.getBigUint64(0) + BigInt(dir));
        return b.getFloat64(0);
    };
    const ys = [0, 0.5 - 2 ** -54, 0.5 - 2 ** -53, 0.25, 255];
    for (let k = 0; k < 255; k++) {
        const tie = k + 0.5;
        ys.push(k, tie, next(tie, 1), next(tie, -1), next(k + 1, -1));
    }
    for (let i = 0; i < 100000; i++) ys.push(Math.random() * 255);
    for (const y of ys) assert.equal(rint8(y), lrint(y), `y = ${y}`);
});
test('parseColor', () => {
    assert.deepEqual(parseColor('#204060'), [32, 64, 96]);
    assert.equal(parseColor('204060'), null);
    assert.equal(parseColor('#20406'), null);
});

test('palette tables parse and refuse bad text', () => {
    assert.equal(palette('default').table.length, 768);
    assert.throws(() => parseTable('00'));
    const b64 = Buffer.from(palette('viridis').table).toString('base64');
    assert.deepEqual(parseTable(b64), palette('viridis').table);
});

test('smooth, default palette, home view', () =>
    check('home-smooth.npy', 'home-smooth.ppm', 'default', 'smooth', 1000));
test('smooth, default palette, seahorse valley', () =>
    check('sea-smooth.npy', 'sea-smooth.ppm', 'default', 'smooth', 2000));
test('smooth, period 3, offset 0.25, interior colour', () =>
    check('sea-smooth.npy', 'sea-period.ppm', 'default', 'smooth', 2000,
          { period: 3, offset: 0.25, interior: [0x20, 0x40, 0x60] }));
test('count, viridis (range mapping)', () =>
    check('sea-counts.npy', 'sea-count-viridis.ppm', 'viridis', 'count', 2000));
test('smooth, magma (range over values)', () =>
    check('sea-smooth.npy', 'sea-smooth-magma.ppm', 'magma', 'smooth', 2000));
test('histogram', () =>
    check('sea-smooth.npy', 'sea-histogram.ppm', 'default', 'histogram', 2000));
test('log', () => check('sea-smooth.npy', 'sea-log.ppm', 'default', 'log', 2000));
test('distance, grey', () =>
    check('sea-distance.npy', 'sea-distance.ppm', 'grey', 'distance', 2000));
test('the colouring is the same in RGBA', () => {
    const data = readNpy('sea-smooth.npy'), want = readPpm('sea-smooth.ppm');
    const c = makeColoring(palette('default'), 'smooth', 2000);
    const rgba = new Uint8ClampedArray(data.length * 4);
    colorize(c, data, rgba, 4);
    for (let i = 0; i < data.length; i++) {
        assert.equal(rgba[4 * i + 3], 255);
        for (let ch = 0; ch < 3; ch++) assert.equal(rgba[4 * i + ch], want[3 * i + ch]);
    }
});
// A minibrot at 1e12, whose values span less than a turn of period 8: the CLI's period
// comes from its lattice (mandel_color_auto_period), and so does the page's.
test('smooth, default palette, period from the picture (narrow band)', () =>
    check('mini-smooth.npy', 'mini-smooth.ppm', 'default', 'smooth', 4036));
test('count, default palette, period from the picture (narrow band)', () =>
    check('mini-counts.npy', 'mini-count.ppm', 'default', 'count', 4036));
test('the period from the picture is not 8 there, and 8 at the home view', () => {
    const c = makeColoring(palette('default'), 'smooth', 4036);
    const mini = readNpy('mini-smooth.npy');
    survey(c, mini, mini.width);
    assert.ok(c.period > 0.5 && c.period < 4, `period ${c.period}`);
    const h = makeColoring(palette('default'), 'smooth', 1000);
    const home = readNpy('home-smooth.npy');
    survey(h, home, home.width);
    assert.equal(h.period, 8);
});
test('the period from the lattice\'s values alone is the whole picture\'s', () => {
    for (const [name, mode] of [['mini-smooth.npy', 'smooth'], ['mini-counts.npy', 'count']]) {
        const data = readNpy(name);
        const whole = makeColoring(palette('default'), mode, 4036);
        const lattice = makeColoring(palette('default'), mode, 4036);
        assert.ok(surveysLattice(lattice));
        survey(whole, data, data.width);
        const height = data.length / data.width;
        const [xs, ys] = latticePositions(data.width, height);
        assert.equal(xs.length * ys.length, Math.min(data.width, 64) * Math.min(height, 64));
        surveyLattice(lattice, ys.flatMap((y) => xs.map((x) => data[y * data.width + x])));
        assert.equal(lattice.period, whole.period);
        assert.notEqual(lattice.period, 8);
    }
    assert.ok(!surveysLattice(makeColoring(palette('default'), 'smooth', 100, { period: 3 })));
    assert.ok(!surveysLattice(makeColoring(palette('magma'), 'smooth', 100)));
});
test('count, default palette, period 512: ties at s^2+1 for odd s round to even', () =>
    check('sea-counts.npy', 'sea-count-p512.ppm', 'default', 'count', 2000, { period: 512 }));
test('ties round to even in RGBA too (ImageData\'s Uint8ClampedArray)', () => {
    const data = readNpy('sea-counts.npy'), want = readPpm('sea-count-p512.ppm');
    const c = makeColoring(palette('default'), 'count', 2000, { period: 512 });
    const rgba = new Uint8ClampedArray(data.length * 4);
    colorize(c, data, rgba, 4);
    let bad = 0;
    for (let i = 0; i < data.length; i++)
        for (let ch = 0; ch < 3; ch++) if (rgba[4 * i + ch] !== want[3 * i + ch]) bad++;
    assert.equal(bad, 0);
});
