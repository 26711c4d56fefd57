// decimal.js: exact parsing, formatting and arithmetic at any length.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as D from '../decimal.js';

const rt = (t) => D.format(D.parse(t));

test('parse/format round trips', () => {
    for (const [t, want] of [['-0.75', '-0.75'], ['0', '0'], ['-0', '0'], ['1.25', '1.25'],
        ['.5', '0.5'], ['3.', '3'], ['+7', '7'], ['1E1086', '1e1086'], ['1.00e014', '100000000000000'],
        ['4.00000000000E533', '4e533'], ['1e-1086', '1e-1086'], ['-2.5e-7', '-2.5e-7'],
        ['0.000012', '0.000012'], ['12300', '12300'], ['1e20', '100000000000000000000'],
        ['1e21', '1e21'], ['-0.00000123', '-0.00000123'], ['0.000000123', '1.23e-7']])
        assert.equal(rt(t), want, t);
});

test('format reads back as the same value through parse, and as a double through Number', () => {
    for (const t of ['-0.743643887037158704752191506114774', '1e-1086', '123.456e300',
                     '-9.99e-5', '5e227']) {
        const a = D.parse(t), b = D.parse(D.format(a));
        assert.ok(D.equal(a, b), t);
        assert.equal(Number(D.format(a)), Number(t), t);
    }
});

test('refuses what is not a decimal', () => {
    for (const t of ['', '-', '.', 'e5', '1e', '0x10', 'inf', 'NaN', ' 1', '1 ', '1,5', '--1',
                     '1e99999999999', '1.2.3'])
        assert.throws(() => D.parse(t), t);
});

test('1000-digit numbers: add, subtract, multiply exactly', () => {
    const digits = '7'.repeat(1000);
    const a = D.parse('0.' + digits), b = D.parse('0.' + '2'.repeat(1000));
    assert.equal(D.format(D.add(a, b)), '0.' + '9'.repeat(1000));
    assert.ok(D.equal(D.sub(D.add(a, b), b), a));
    const sq = D.mul(D.parse('1' + '0'.repeat(999) + '1'), D.parse('1' + '0'.repeat(999) + '1'));
    assert.ok(D.equal(sq, D.parse('1' + '0'.repeat(999) + '2' + '0'.repeat(999) + '1')));
    assert.equal(D.format(sq), '1.' + '0'.repeat(999) + '2' + '0'.repeat(999) + '1e2000');
    const tiny = D.parse('1e-1086');
    assert.equal(D.format(D.add(tiny, D.parse('-0.75'))), '-0.74' + '9'.repeat(1083) + '9');
    assert.equal(D.format(D.add(tiny, D.parse('0.75'))), '0.75' + '0'.repeat(1083) + '1');
});

test('comparison and sign', () => {
    assert.equal(D.cmp(D.parse('-1e-1000'), D.parse('0')), -1);
    assert.equal(D.cmp(D.parse('2.50'), D.parse('2.5')), 0);
    assert.equal(D.cmp(D.parse('1e5'), D.parse('99999.9999')), 1);
    assert.equal(D.sign(D.parse('-0.0')), 0);
    assert.equal(D.ilog10(D.parse('0.00999')), -3);
    assert.equal(D.ilog10(D.parse('1e-1086')), -1086);
});

test('division rounds half to even at the asked place, and keeps short exact quotients', () => {
    const q = (a, b, e, x) => D.format(D.div(D.parse(a), D.parse(b), e, x));
    assert.equal(q('1', '3', -5), '0.33333');
    assert.equal(q('2', '3', -5), '0.66667');
    assert.equal(q('-2', '3', -5), '-0.66667');
    assert.equal(q('1', '8', -2, 0), '0.12');   // 0.125: tie to even
    assert.equal(q('3', '8', -2, 0), '0.38');   // 0.375: tie to even
    assert.equal(q('-1', '8', -2, 0), '-0.12');
    assert.equal(q('1', '8', -2), '0.125');     // exact within 3 more digits: kept
    assert.equal(q('1', '7', -1000).length, 1002);
    assert.equal(q('1e-1086', '3', -1090), '3.333e-1087');
    assert.equal(D.format(D.roundTo(D.parse('2.5'), 0)), '2');
    assert.equal(D.format(D.roundTo(D.parse('3.5'), 0)), '4');
    assert.equal(D.format(D.roundTo(D.parse('-3.5'), 0)), '-4');
    assert.equal(D.format(D.divSignificant(D.parse('2'), D.parse('1.25e-1000'), 5)), '1.6e1000');
    assert.throws(() => D.div(D.parse('1'), D.parse('0'), 0));
});

test('short text for people', () => {
    assert.equal(D.formatShort(D.parse('1.6')), '1.6');
    assert.equal(D.formatShort(D.parse('1.23456e300')), '1.23e300');
    assert.equal(D.formatShort(D.parse('9.999e-1001')), '1e-1000');
    assert.equal(D.formatShort(D.parse('123456789')), '1.23e8');
    assert.ok(Math.abs(D.log10(D.parse('2e-1000')) - (-1000 + Math.log10(2))) < 1e-9);
});
