// input.js - mouse, touch and keyboard to view moves.
//
// The gesture state is the screen's centre in anchor pixels (cx, cy) and its scale z
// (screen pixels per anchor pixel): every event changes them at once and the page redraws
// what it has; when the input rests for SETTLE_MS the page makes the move a view (pan:
// whole pixels of the same anchor; zoom: a new anchor).
//
// Invariant: a zoom keeps the anchor point under the pointer under the pointer.

const SETTLE_MS = 60; // a wheel notch to its coarse picture: 152 ms (150 ms of rest: 209 ms)
const WHEEL_STEP = 1 / 400; // log2 of the zoom per wheel pixel

export class Gestures {
    // target: the canvas; view: {cx, cy, z} (changed in place); hooks: {redraw(), settle(),
    // home(), pick(x, y) -> bool (a click the page takes), julia(x, y)}; x, y in device
    // pixels of the canvas.
    constructor(target, view, hooks) {
        this.el = target;
        this.view = view;
        this.hooks = hooks;
        this.pointers = new Map();
        this.timer = 0;
        this.moved = false;
        const on = (type, fn, opts) => target.addEventListener(type, fn.bind(this), opts);
        on('pointerdown', this.down);
        on('pointermove', this.move);
        on('pointerup', this.up);
        on('pointercancel', this.up);
        on('wheel', this.wheel, { passive: false });
        on('dblclick', this.dblclick);
        window.addEventListener('keydown', (e) => this.key(e));
    }
    // Device pixels per CSS pixel of the canvas, and a pointer's device position.
    scale() {
        const r = this.el.getBoundingClientRect();
        return r.width > 0 ? this.el.width / r.width : 1;
    }
    at(e) {
        const r = this.el.getBoundingClientRect(), s = this.scale();
        return [(e.clientX - r.left) * s, (e.clientY - r.top) * s];
    }
    busy() {
        return this.pointers.size > 0;
    }
    changed() {
        this.hooks.redraw();
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.rest(), SETTLE_MS);
    }
    rest() {
        if (this.busy()) return;
        this.hooks.settle();
    }
    // Scales by f about the screen point (x, y) in device pixels.
    zoomAbout(x, y, f) {
        const v = this.view, W = this.el.width, H = this.el.height;
        const ax = v.cx + (x - W / 2) / v.z, ay = v.cy + (y - H / 2) / v.z;
        v.z *= f;
        v.cx = ax - (x - W / 2) / v.z;
        v.cy = ay - (y - H / 2) / v.z;
        this.changed();
    }
    down(e) {
        if (e.button !== 0 && e.pointerType === 'mouse') return;
        this.el.setPointerCapture(e.pointerId);
        this.pointers.set(e.pointerId, this.at(e));
        this.moved = false;
        this.start = { cx: this.view.cx, cy: this.view.cy, at: this.at(e) };
        clearTimeout(this.timer);
    }
    move(e) {
        this.last = this.at(e);
        if (!this.pointers.has(e.pointerId)) return;
        const p = this.at(e);
        const v = this.view;
        if (this.pointers.size === 1) {
            const [x0, y0] = this.pointers.get(e.pointerId);
            const dx = p[0] - x0, dy = p[1] - y0;
            if (Math.abs(p[0] - this.start.at[0]) + Math.abs(p[1] - this.start.at[1]) > 3)
                this.moved = true;
            // Whole device pixels at scale 1, so the tiles stay on the pixel grid.
            const sx = v.z === 1 ? Math.round(dx) : dx, sy = v.z === 1 ? Math.round(dy) : dy;
            if (sx === 0 && sy === 0) return;
            v.cx -= sx / v.z;
            v.cy -= sy / v.z;
            this.pointers.set(e.pointerId, [x0 + sx, y0 + sy]);
            this.hooks.redraw();
            return;
        }
        // Two pointers: pinch about their midpoint, and pan with it.
        const ids = [...this.pointers.keys()];
        const other = this.pointers.get(ids[0] === e.pointerId ? ids[1] : ids[0]);
        const old = this.pointers.get(e.pointerId);
        const d0 = Math.hypot(old[0] - other[0], old[1] - other[1]);
        const d1 = Math.hypot(p[0] - other[0], p[1] - other[1]);
        const mx0 = (old[0] + other[0]) / 2, my0 = (old[1] + other[1]) / 2;
        const mx1 = (p[0] + other[0]) / 2, my1 = (p[1] + other[1]) / 2;
        v.cx -= (mx1 - mx0) / v.z;
        v.cy -= (my1 - my0) / v.z;
        this.pointers.set(e.pointerId, p);
        this.moved = true;
        if (d0 > 0 && d1 > 0) this.zoomAbout(mx1, my1, d1 / d0);
        else this.hooks.redraw();
    }
    up(e) {
        if (!this.pointers.has(e.pointerId)) return;
        this.pointers.delete(e.pointerId);
        if (this.pointers.size > 0) return;
        if (!this.moved && e.type === 'pointerup' && this.hooks.pick(...this.at(e))) return;
        this.changed();
    }
    wheel(e) {
        e.preventDefault();
        const px = e.deltaMode === 1 ? 40 : e.deltaMode === 2 ? 800 : 1;
        const f = Math.pow(2, -e.deltaY * px * WHEEL_STEP * (e.ctrlKey ? 4 : 1));
        this.zoomAbout(...this.at(e), Math.min(4, Math.max(0.25, f)));
    }
    dblclick(e) {
        e.preventDefault();
        this.zoomAbout(...this.at(e), e.shiftKey ? 0.5 : 2);
    }
    key(e) {
        if (e.target !== document.body && e.target !== this.el) return;
        if (e.ctrlKey || e.metaKey || e.altKey) return;
        const W = this.el.width, H = this.el.height, v = this.view;
        const stepX = Math.round(W / 8), stepY = Math.round(H / 8);
        const moves = { ArrowLeft: [-stepX, 0], ArrowRight: [stepX, 0],
                        ArrowUp: [0, -stepY], ArrowDown: [0, stepY] };
        if (e.key in moves) {
            v.cx += moves[e.key][0] / v.z;
            v.cy += moves[e.key][1] / v.z;
            this.changed();
        } else if (e.key === '+' || e.key === '=') {
            this.zoomAbout(W / 2, H / 2, 2);
        } else if (e.key === '-' || e.key === '_') {
            this.zoomAbout(W / 2, H / 2, 0.5);
        } else if (e.key === '0') {
            this.hooks.home();
        } else if (e.key === 'j' || e.key === 'J') {
            if (this.last) this.hooks.julia(...this.last);
        } else {
            return;
        }
        e.preventDefault();
    }
}
