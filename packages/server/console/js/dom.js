// @ts-check
// Building the page from elements and text nodes only (never innerHTML), so nothing the API
// returns can become markup.

/**
 * @typedef {string | number | Node | null | undefined | false} Child
 * @typedef {Record<string, string | number | boolean | EventListener | null | undefined>} Attrs
 */

/**
 * @param {string} tag
 * @param {Attrs} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(key.replace(/^on/, ''), value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

/**
 * @param {Element} el
 * @param {Array<Child | Child[]>} children
 */
export function append(el, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'object' ? child : String(child));
  }
}

/**
 * @param {Element} el
 * @param {...(Child | Child[])} children
 */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/** @param {number | null | undefined} ms */
export function time(ms) {
  if (ms === null || ms === undefined) return '—';
  const d = new Date(ms);
  const today = d.toDateString() === new Date().toDateString();
  return h(
    'time',
    { datetime: d.toISOString(), title: d.toISOString() },
    today ? d.toLocaleTimeString() : d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' }),
  );
}

/** @param {number} ms @param {number} [now] */
export function relative(ms, now = Date.now()) {
  const s = Math.round((ms - now) / 1000);
  const abs = Math.abs(s);
  if (abs < 3) return 'just now';
  const text = abs < 60 ? `${abs} s` : abs < 3600 ? `${Math.round(abs / 60)} min` : `${Math.round(abs / 3600)} h`;
  return s >= 0 ? `in ${text}` : `${text} ago`;
}

/** @param {string} id */
export function short(id) {
  return h('code', { class: 'id', title: id }, id.length > 12 ? `${id.slice(0, 8)}…` : id);
}

/** @param {string} status */
export function badge(status) {
  return h('span', { class: `badge ${status}` }, status);
}

let toastTimer = 0;
/** @param {string} message @param {'ok' | 'error'} [kind] */
export function toast(message, kind = 'ok') {
  const el = /** @type {HTMLElement} */ (document.getElementById('toast'));
  el.className = `show ${kind}`;
  el.textContent = message;
  clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => {
    el.className = '';
  }, 5000);
}

/**
 * A button that asks for a second click before it acts, instead of a blocking dialog.
 * @param {string} label
 * @param {string} confirmLabel
 * @param {() => Promise<void>} action
 * @param {string} [cls]
 */
export function confirmButton(label, confirmLabel, action, cls = 'danger') {
  const button = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: cls }, label));
  let armed = false;
  button.addEventListener('click', async () => {
    if (!armed) {
      armed = true;
      button.textContent = confirmLabel;
      button.classList.add('armed');
      setTimeout(() => {
        armed = false;
        button.textContent = label;
        button.classList.remove('armed');
      }, 4000);
      return;
    }
    button.disabled = true;
    try {
      await action();
    } finally {
      button.disabled = false;
      armed = false;
      button.textContent = label;
      button.classList.remove('armed');
    }
  });
  return button;
}

/**
 * @param {string[]} headers
 * @param {Node[]} rows
 * @param {string} empty
 */
export function table(headers, rows, empty) {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          headers.map((x) => h('th', { scope: 'col' }, x)),
        ),
      ),
      h('tbody', {}, rows),
    ),
  );
}

/**
 * Runs `refresh` every `ms` while the tab is visible; returns the function that stops it.
 * @param {() => Promise<void>} refresh
 * @param {number} ms
 */
export function every(refresh, ms) {
  let busy = false;
  const timer = window.setInterval(async () => {
    if (busy || document.hidden) return;
    busy = true;
    try {
      await refresh();
    } catch {
      // The next tick tries again; a lasting failure shows on the next user action.
    } finally {
      busy = false;
    }
  }, ms);
  return () => clearInterval(timer);
}

/**
 * A labelled form control with optional help text; a checkbox comes before its label.
 * @param {string} id
 * @param {string} label
 * @param {HTMLElement} control
 * @param {string} [help]
 */
export function field(id, label, control, help) {
  control.id = id;
  if (help) control.setAttribute('aria-describedby', `${id}-help`);
  const isCheck = control instanceof HTMLInputElement && control.type === 'checkbox';
  return h(
    'div',
    { class: `field${isCheck ? ' check' : ''}` },
    isCheck ? control : null,
    h('label', { for: id }, label),
    isCheck ? null : control,
    help ? h('p', { class: 'help', id: `${id}-help` }, help) : null,
  );
}
