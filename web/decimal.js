// decimal.js - exact decimal numbers of any length for the view's coordinates.
//
// A number is {m, e}: the value m * 10^e with m a BigInt. Adding, subtracting and
// multiplying are exact; dividing rounds to a multiple of 10^e chosen by the caller (half
// to even). Coordinates never pass through doubles: a centre at 1e-1000 keeps every digit.
//
// Invariant: parse(format(x)) has the value of x, and format() writes only what the CLI's
// parsers (strtod, MPFR) read back as that value.

const MAX_TEXT = 1 << 20;   // characters of a number's text
const MAX_EXP = 100000000;  // |exponent| accepted in text

const TEN = 10n;
const pow10cache = [1n];
export function pow10(k) {
    if (k < 64) {
        while (pow10cache.length <= k) pow10cache.push(pow10cache[pow10cache.length - 1] * TEN);
        return pow10cache[k];
    }
    return TEN ** BigInt(k);
}

export function make(m, e = 0) {
    return { m: BigInt(m), e };
}

// Decimal text ("-1.25", ".5", "3.", "1E1086", "-2.18e-501") -> {m, e}; throws on
// anything else (no hex, no inf/nan, no blanks).
export function parse(text) {
    if (typeof text !== 'string' || text.length === 0 || text.length > MAX_TEXT)
        throw new Error('not a decimal number');
    const r = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,12}))?$/.exec(text);
    if (r === null || (r[2] === '' && (r[3] === undefined || r[3] === '')))
        throw new Error(`'${text.length > 40 ? text.slice(0, 40) + '...' : text}' is not a decimal number`);
    const frac = r[3] || '';
    const exp = r[4] ? Number(r[4]) : 0;
    if (Math.abs(exp) > MAX_EXP) throw new Error('exponent out of range');
    let m = BigInt((r[2] || '0') + frac);
    if (r[1] === '-') m = -m;
    return { m, e: exp - frac.length };
}

export function isDecimal(text) {
    try {
        parse(text);
        return true;
    } catch {
        return false;
    }
}

// Removes trailing zeros of m (the value is unchanged).
export function normalize(a) {
    if (a.m === 0n) return { m: 0n, e: 0 };
    let { m, e } = a;
    while (m % 1000000n === 0n) { m /= 1000000n; e += 6; }
    while (m % TEN === 0n) { m /= TEN; e += 1; }
    return { m, e };
}

function align(a, b) {
    if (a.e === b.e) return [a.m, b.m, a.e];
    if (a.e > b.e) return [a.m * pow10(a.e - b.e), b.m, b.e];
    return [a.m, b.m * pow10(b.e - a.e), a.e];
}

export function add(a, b) {
    const [x, y, e] = align(a, b);
    return { m: x + y, e };
}
export function sub(a, b) {
    const [x, y, e] = align(a, b);
    return { m: x - y, e };
}
export function neg(a) { return { m: -a.m, e: a.e }; }
export function mul(a, b) { return { m: a.m * b.m, e: a.e + b.e }; }
export function cmp(a, b) {
    const [x, y] = align(a, b);
    return x < y ? -1 : x > y ? 1 : 0;
}
export function equal(a, b) { return cmp(a, b) === 0; }
export function isZero(a) { return a.m === 0n; }
export function sign(a) { return a.m > 0n ? 1 : a.m < 0n ? -1 : 0; }

function digitCount(m) {
    if (m < 0n) m = -m;
    return m === 0n ? 1 : m.toString().length;
}

// floor(log10(|a|)) exactly; a must not be zero.
export function ilog10(a) {
    if (a.m === 0n) throw new Error('log of zero');
    return digitCount(a.m) - 1 + a.e;
}

// round(n / d) half to even, for BigInts, d > 0.
function divRoundInt(n, d) {
    let q = n / d, r = n % d;           // truncated toward zero
    if (r === 0n) return [q, true];
    if (r < 0n) { q -= 1n; r += d; }    // now floor and 0 < r < d
    const twice = 2n * r;
    if (twice > d || (twice === d && (q & 1n) !== 0n)) q += 1n;
    return [q, false];
}

// a rounded to a multiple of 10^e, half to even.
export function roundTo(a, e) {
    if (a.e >= e) return { m: a.m, e: a.e };
    const [q] = divRoundInt(a.m, pow10(e - a.e));
    return { m: q, e };
}

// a / b rounded to a multiple of 10^e (half to even). When the quotient ends within
// `exact` digits below 10^e it is returned whole, so no tie is ever rounded: a result that
// was rounded differs from the true quotient by strictly less than half of 10^e.
export function div(a, b, e, exact = 3) {
    if (b.m === 0n) throw new Error('division by zero');
    let n = a.m, d = b.m;
    if (d < 0n) { n = -n; d = -d; }
    const fine = e - exact;
    const k = a.e - b.e - fine;         // quotient * 10^-fine = n * 10^k / d
    if (k >= 0) n *= pow10(k); else d *= pow10(-k);
    const [q, isExact] = divRoundInt(n, d);
    if (isExact) {
        // Exact: no digits finer than needed, but none coarser than 10^e either.
        const n = normalize({ m: q, e: fine });
        return n.e > e ? { m: n.m * pow10(n.e - e), e } : n;
    }
    // Not exact at `fine`: round the exact quotient at e (n/d had a remainder, so no tie).
    const [q2] = divRoundInt(n, d * pow10(exact));
    return { m: q2, e };
}

// a / b to `digits` significant digits (rounded half to even).
export function divSignificant(a, b, digits) {
    const e = ilog10(a) - ilog10(b) - digits;
    return normalize(div(a, b, e, 0));
}

// log10(|a|) approximately (any magnitude; a must not be zero).
export function log10(a) {
    const s = (a.m < 0n ? -a.m : a.m).toString();
    return Math.log10(Number('0.' + s.slice(0, 17))) + s.length + a.e;
}

// An approximate double (for display and screen arithmetic only; 0 or Infinity beyond
// the double range).
export function toNumber(a) {
    if (a.m === 0n) return 0;
    const s = (a.m < 0n ? -a.m : a.m).toString();
    const head = s.length > 17 ? s.slice(0, 17) : s;
    const v = Number(head + 'e' + (a.e + s.length - head.length));
    return a.m < 0n ? -v : v;
}

// Text for the number: plain digits at ordinary magnitudes, d.ddde-N beyond; trailing
// zeros dropped unless `keepZeros` (then the text says down to which digit it is exact:
// format({m: 7500n, e: -4}, true) is "0.7500"). Every digit of m is kept.
export function format(a, keepZeros = false) {
    const n = keepZeros ? a : normalize(a);
    if (n.m === 0n) return keepZeros && n.e < 0 && n.e > -21 ? '0.' + '0'.repeat(-n.e) : '0';
    const negative = n.m < 0n;
    const s = (negative ? -n.m : n.m).toString();
    const point = s.length + n.e; // digits before the decimal point
    let body;
    if (n.e >= 0 && point <= 21) body = s + '0'.repeat(n.e);
    else if (point > 0 && point <= 21) body = s.slice(0, point) + '.' + s.slice(point);
    else if (point <= 0 && point > -6) body = '0.' + '0'.repeat(-point) + s;
    else body = s[0] + (s.length > 1 ? '.' + s.slice(1) : '') + 'e' + (point - 1);
    return negative ? '-' + body : body;
}

// Short text for people: `digits` significant digits, e.g. "1.6e300" or "0.0125".
export function formatShort(a, digits = 3) {
    if (a.m === 0n) return '0';
    const r = normalize(roundTo(a, ilog10(a) - digits + 1));
    const mag = ilog10(r);
    if (mag >= -4 && mag < 6) return format(r);
    const n = normalize(r);
    const s = (n.m < 0n ? -n.m : n.m).toString();
    return (n.m < 0n ? '-' : '') + s[0] + (s.length > 1 ? '.' + s.slice(1) : '') + 'e' + mag;
}
