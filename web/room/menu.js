// Pop-up menus of the call (device carets, "more", leave, a person's actions): a button that opens a list of
// menu items; arrow keys move, Enter/Space pick, Escape and a click elsewhere close, focus returns to the button.
import { h, icon } from '../dom.js';

/** @import { IconName } from '../dom.js' */
/**
 * One entry: an action, or (checked set) a choice among several; `heading` starts a group.
 * @typedef {object} MenuItem
 * @property {string} label
 * @property {() => unknown} [onPick]
 * @property {string} [testid]
 * @property {boolean} [checked] shown as a radio choice when not undefined
 * @property {boolean} [danger]
 * @property {IconName} [icon]
 * @property {boolean} [heading] a group title, not an action
 * @property {boolean} [compact] a small square item (an emoji), several to a row
 */

/** @type {Menu | null} */
let openMenu = null;

export class Menu {
  /**
   * @param {HTMLButtonElement} button opens the menu; gets aria-haspopup/aria-expanded
   * @param {() => MenuItem[]} items built each time the menu opens (so they show the state of now)
   * @param {{testid?: string, label: string, placement?: 'up' | 'down', when?: () => boolean}} options
   *   when: whether a click opens the menu now (else the button's own click listener acts alone)
   */
  constructor(button, items, { testid = 'menu', label, placement = 'up', when = () => true }) {
    this.button = button;
    this.when = when;
    this.items = items;
    this.list = h('div', {
      class: `menu menu--${placement}`,
      role: 'menu',
      testid,
      'aria-label': label,
      hidden: true,
      tabindex: '-1',
    });
    button.setAttribute('aria-haspopup', 'menu');
    button.setAttribute('aria-expanded', 'false');
    button.addEventListener('click', (event) => {
      if (!this.when()) return;
      event.stopPropagation();
      this.toggle();
    });
    button.addEventListener('keydown', (event) => {
      if ((event.key === 'ArrowUp' || event.key === 'ArrowDown') && this.when()) {
        event.preventDefault();
        this.open();
      }
    });
    this.list.addEventListener('keydown', (event) => this.onKey(event));
    this.onOutside = (/** @type {Event} */ event) => {
      if (!this.list.contains(/** @type {Node} */ (event.target))) this.close(false);
    };
  }

  toggle() {
    if (this.list.hidden) this.open();
    else this.close(true);
  }

  open() {
    openMenu?.close(false);
    openMenu = this;
    this.list.replaceChildren(...this.items().map((item) => this.entry(item)));
    this.list.hidden = false;
    this.button.setAttribute('aria-expanded', 'true');
    this.entries()[0]?.focus();
    document.addEventListener('pointerdown', this.onOutside, true);
  }

  /** @param {boolean} refocus */
  close(refocus) {
    if (this.list.hidden) return;
    this.list.hidden = true;
    this.button.setAttribute('aria-expanded', 'false');
    document.removeEventListener('pointerdown', this.onOutside, true);
    if (openMenu === this) openMenu = null;
    if (refocus) this.button.focus();
  }

  /** @returns {HTMLButtonElement[]} */
  entries() {
    return [...this.list.querySelectorAll('button')];
  }

  /** @param {MenuItem} item */
  entry(item) {
    if (item.heading) return h('div', { class: 'menu__heading', role: 'presentation' }, item.label);
    const choice = item.checked !== undefined;
    return h(
      'button',
      {
        class: `menu__item ${item.danger ? 'menu__item--danger' : ''} ${item.compact ? 'menu__item--compact' : ''}`,
        type: 'button',
        role: choice ? 'menuitemradio' : 'menuitem',
        'aria-checked': choice ? String(item.checked) : null,
        testid: item.testid,
        tabindex: '-1',
        onclick: () => {
          this.close(true);
          item.onPick?.();
        },
      },
      item.compact
        ? null
        : item.icon
          ? icon(item.icon)
          : h('span', { class: 'menu__mark', 'aria-hidden': 'true' }, item.checked ? '✓' : ''),
      h('span', {}, item.label),
    );
  }

  /** @param {KeyboardEvent} event */
  onKey(event) {
    const entries = this.entries();
    const at = entries.indexOf(/** @type {HTMLButtonElement} */ (document.activeElement));
    const move = (/** @type {number} */ to) => entries[(to + entries.length) % entries.length]?.focus();
    if (event.key === 'ArrowDown') move(at + 1);
    else if (event.key === 'ArrowUp') move(at - 1);
    else if (event.key === 'Home') move(0);
    else if (event.key === 'End') move(entries.length - 1);
    else if (event.key === 'Escape' || event.key === 'Tab') this.close(event.key === 'Escape');
    else return;
    if (event.key !== 'Tab') event.preventDefault();
    event.stopPropagation();
  }
}

/**
 * A button with a menu under it, wrapped so the menu is positioned against the button.
 * @param {{testid: string, label: string, shape?: IconName, text?: string, className?: string, placement?: 'up' | 'down',
 *   menuTestid?: string, when?: () => boolean}} spec
 * @param {() => MenuItem[]} items
 */
export function menuButton(
  { testid, label, shape, text, className = 'icon-button', placement, menuTestid, when },
  items,
) {
  const button = h(
    'button',
    { class: className, type: 'button', testid, 'aria-label': label, title: label },
    shape ? icon(shape) : null,
    text ? h('span', { class: 'menu-button__text' }, text) : null,
  );
  const menu = new Menu(button, items, { label, placement, when, testid: menuTestid || `${testid}-menu` });
  return { button, menu, element: h('span', { class: 'menu-anchor' }, button, menu.list) };
}
