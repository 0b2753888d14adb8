// Tiny DOM builder: pages build elements with h() instead of HTML strings, so user text is never parsed as markup.
const PROPS = new Set([
  'value',
  'checked',
  'disabled',
  'hidden',
  'muted',
  'autoplay',
  'playsInline',
  'selected',
  'srcObject',
]);

/** @typedef {Node | string | number | boolean | null | undefined | Child[]} Child */
/**
 * Attributes, plus: `class`, `style` (set through CSSOM), `testid` (data-testid), `dataset`, `icon` (an icon first), DOM properties such as
 * `value` or `hidden`, and `on<event>` listeners. null, undefined and false leave an attribute out.
 * @typedef {{ class?: string, testid?: string, dataset?: Record<string, string>, icon?: IconName, [attribute: string]: unknown }
 *   & { [listener: `on${string}`]: ((event: Event) => unknown) | null | undefined }} Props
 */

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Props | null} [props]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value == null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), /** @type {EventListener} */ (value));
    } else if (key === 'class') el.className = String(value);
    // Through CSSOM: the Content-Security-Policy refuses style attributes.
    else if (key === 'style') el.style.cssText = String(value);
    else if (key === 'testid') el.dataset.testid = String(value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'icon') el.append(icon(/** @type {IconName} */ (value)));
    // The listed names are properties of some element kinds only; the set above is the check.
    else if (PROPS.has(key)) Reflect.set(el, key, value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/**
 * @template {Element} E
 * @param {E} el
 * @param {Child[]} children
 * @returns {E}
 */
export function append(el, children) {
  for (const child of children) {
    if (child == null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/**
 * @template {Element} E
 * @param {E} el
 * @returns {E}
 */
export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

/**
 * An element the page shell (index.html) always has.
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html has no #${id}`);
  return el;
}

// Icons are simple hand-drawn 24x24 shapes; they are decorative, the button carries the aria-label.
const ICONS = {
  mic: '<rect x="9" y="3" width="6" height="11" rx="3"/><path d="M5 11a7 7 0 0 0 14 0M12 18v3M8 21h8" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>',
  micOff:
    '<rect x="9" y="3" width="6" height="11" rx="3"/><path d="M5 11a7 7 0 0 0 14 0M12 18v3M8 21h8" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/><path d="M4 4l16 16" stroke="currentColor" stroke-width="2.4" stroke-linecap="round"/>',
  cam: '<rect x="2" y="6" width="14" height="12" rx="2"/><path d="M17 10l5-3v10l-5-3z"/>',
  camOff:
    '<rect x="2" y="6" width="14" height="12" rx="2"/><path d="M17 10l5-3v10l-5-3z"/><path d="M3 3l18 18" stroke="currentColor" stroke-width="2.4" stroke-linecap="round"/>',
  screen:
    '<path d="M3 5h18v11H3z" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round"/><path d="M8 20h8M12 16v4M12 7l-3 3h2v3h2v-3h2z" stroke="currentColor" stroke-width="1.5" stroke-linecap="round"/>',
  chat: '<path d="M4 4h16a1 1 0 0 1 1 1v11a1 1 0 0 1-1 1H9l-5 4V5a1 1 0 0 1 1-1z"/>',
  people:
    '<circle cx="9" cy="8" r="3.5"/><path d="M2 20c0-4 3-6 7-6s7 2 7 6z"/><circle cx="17" cy="9" r="2.5"/><path d="M17 13c3 0 5 2 5 5h-4.5c0-2-.8-3.6-2.2-4.7.5-.2 1.1-.3 1.7-.3z"/>',
  leave: '<path d="M3 14c5-5 13-5 18 0l-2.5 3-3.5-1.5V13c-2-.7-4-.7-6 0v2.5L5.5 17z"/>',
  settings:
    '<path d="M4 7h10M18 7h2M4 17h4M12 17h8" stroke="currentColor" stroke-width="2" stroke-linecap="round"/><circle cx="16" cy="7" r="2.5"/><circle cx="10" cy="17" r="2.5"/>',
  copy: '<rect x="8" y="8" width="12" height="12" rx="2" fill="none" stroke="currentColor" stroke-width="2"/><path d="M16 4H5a1 1 0 0 0-1 1v11" fill="none" stroke="currentColor" stroke-width="2"/>',
  phone: '<path d="M6 3h3l2 5-2.5 1.5a11 11 0 0 0 6 6L16 13l5 2v3a2 2 0 0 1-2 2A16 16 0 0 1 4 5a2 2 0 0 1 2-2z"/>',
  close: '<path d="M6 6l12 12M18 6L6 18" stroke="currentColor" stroke-width="2.4" stroke-linecap="round"/>',
  send: '<path d="M3 20l18-8L3 4v6l12 2-12 2z"/>',
  end: '<rect x="5" y="5" width="14" height="14" rx="2"/>',
  message: '<path d="M3 5h18v12H8l-5 4z" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round"/>',
  signal:
    '<rect x="3" y="15" width="4" height="6" rx="1"/><rect x="10" y="10" width="4" height="11" rx="1" opacity=".35"/><rect x="17" y="4" width="4" height="17" rx="1" opacity=".35"/>',
  pin: '<path d="M9 3h6l-1 6 3 3v2h-4v6l-1 1-1-1v-6H7v-2l3-3z"/>',
  plus: '<path d="M12 5v14M5 12h14" stroke="currentColor" stroke-width="2.4" stroke-linecap="round"/>',
  more: '<circle cx="12" cy="5" r="2"/><circle cx="12" cy="12" r="2"/><circle cx="12" cy="19" r="2"/>',
  caret:
    '<path d="M7 14l5-5 5 5" fill="none" stroke="currentColor" stroke-width="2.4" stroke-linecap="round" stroke-linejoin="round"/>',
  smile:
    '<circle cx="12" cy="12" r="9" fill="none" stroke="currentColor" stroke-width="2"/><circle cx="9" cy="10" r="1.3"/><circle cx="15" cy="10" r="1.3"/><path d="M8 14.5a4.5 4.5 0 0 0 8 0" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>',
  hand: '<path d="M8 12V5.5a1.5 1.5 0 0 1 3 0V11V4a1.5 1.5 0 0 1 3 0v7V5.5a1.5 1.5 0 0 1 3 0V14c0 4-2.5 7-6 7-2.5 0-4-1.2-5.3-3.3L3.4 13.6a1.5 1.5 0 0 1 2.5-1.6L8 14.5z"/>',
  lock: '<rect x="5" y="10" width="14" height="11" rx="2"/><path d="M8 10V7a4 4 0 0 1 8 0v3" fill="none" stroke="currentColor" stroke-width="2"/>',
  shield:
    '<path d="M12 2l8 3v6c0 5-3.4 9.4-8 11-4.6-1.6-8-6-8-11V5z"/><path d="M8.5 12l2.5 2.5 4.5-5" fill="none" stroke="#111214" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>',
  keyboard:
    '<rect x="2" y="6" width="20" height="12" rx="2" fill="none" stroke="currentColor" stroke-width="2"/><path d="M6 10h1M10 10h1M14 10h1M18 10h0M7 14h10" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>',
  rec: '<circle cx="12" cy="12" r="6"/>',
  clip: '<path d="M16.5 6.5l-7.8 7.8a2 2 0 0 0 2.8 2.8l8-8a4 4 0 0 0-5.6-5.6l-8.2 8.2a6 6 0 0 0 8.5 8.5l6.3-6.3" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>',
  blur: '<circle cx="12" cy="9" r="3.5"/><path d="M5 21c0-4 3-6 7-6s7 2 7 6z"/><path d="M2 4h3M2 8h2M19 4h3M20 8h2" stroke="currentColor" stroke-width="2" stroke-linecap="round" opacity=".5"/>',
};

/** @typedef {keyof typeof ICONS} IconName */

/** @param {IconName} name */
export function icon(name) {
  const span = document.createElement('span');
  span.className = 'icon';
  span.setAttribute('aria-hidden', 'true');
  span.innerHTML = `<svg viewBox="0 0 24 24" width="24" height="24" fill="currentColor">${ICONS[name] || ''}</svg>`;
  return span;
}

/**
 * Message text with web addresses made into links; everything else stays plain text.
 * @param {string} text
 * @returns {(string | HTMLAnchorElement)[]}
 */
export function linkified(text) {
  /** @type {(string | HTMLAnchorElement)[]} */
  const parts = [];
  let last = 0;
  for (const match of String(text).matchAll(/\bhttps?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]]/g)) {
    parts.push(text.slice(last, match.index));
    parts.push(h('a', { href: match[0], target: '_blank', rel: 'noopener noreferrer' }, match[0]));
    last = (match.index ?? 0) + match[0].length;
  }
  parts.push(String(text).slice(last));
  return parts.filter((part) => part !== '');
}
