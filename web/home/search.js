// The search box of the home page: finds words in the messages I can read; matches are marked, and a
// result opens its conversation (a group, a direct conversation, or the room).
import { h } from '../dom.js';
import { searchMessages } from '../endpoints.js';
import { formatDateTime, t } from '../i18n.js';
import { errorText } from '../ui.js';

/** @import { PageContext } from '../app.js' */
/** @import { SearchHit } from '../endpoints.js' */

/** Where a result leads. @param {SearchHit} hit */
function pathOf(hit) {
  const id = encodeURIComponent(hit.conversation_id);
  if (hit.kind === 'group') return `/?group=${id}&message=${hit.message_id}`;
  if (hit.kind === 'dm') return `/?dm=${id}`;
  return `/r/${id}`;
}

/** The snippet with its matches in <mark>, built from text nodes only. @param {SearchHit} hit */
const snippetOf = (hit) =>
  h(
    'span',
    { class: 'search__snippet' },
    hit.snippet.map((part) => (part.hit ? h('mark', {}, part.text) : part.text)),
  );

/** @param {SearchHit} hit @param {PageContext} ctx */
function resultItem(hit, ctx) {
  const who = hit.sender ? hit.sender.display_name || hit.sender.login : t('common.someone');
  return h(
    'li',
    {},
    h(
      'a',
      {
        class: 'search__hit',
        href: pathOf(hit),
        testid: 'search-hit',
        dataset: { kind: hit.kind, messageId: String(hit.message_id) },
        onclick: (/** @type {Event} */ event) => {
          event.preventDefault();
          ctx.navigate(pathOf(hit));
        },
      },
      h(
        'span',
        { class: 'list__meta' },
        `${t(`search.kind_${hit.kind}`)} · ${hit.conversation_title} · ${who} · ${formatDateTime(hit.created_at)}`,
      ),
      snippetOf(hit),
    ),
  );
}

/** @param {PageContext} ctx */
export function searchBox(ctx) {
  const input = h('input', {
    id: 'search-input',
    class: 'input',
    type: 'search',
    maxlength: 200,
    testid: 'search-input',
  });
  const results = h('ol', { class: 'list search__results', testid: 'search-results', 'aria-live': 'polite' });
  const more = h(
    'button',
    { class: 'button button--ghost', type: 'button', testid: 'search-more', hidden: true },
    t('search.more'),
  );
  /** @type {string | null} */
  let next = null;
  let words = '';
  /** @param {boolean} fresh */
  async function run(fresh) {
    if (fresh) {
      words = input.value.trim();
      next = null;
      results.replaceChildren();
    }
    if (!words) return;
    try {
      const page = await searchMessages(words, next);
      next = page.next_before;
      results.append(...page.items.map((hit) => resultItem(hit, ctx)));
      if (fresh && !page.items.length) results.append(h('li', { class: 'list__meta' }, t('search.none')));
    } catch (error) {
      results.append(h('li', { class: 'form-error', role: 'alert' }, errorText(error)));
    }
    more.hidden = !next;
  }
  more.addEventListener('click', () => run(false));
  const form = h(
    'form',
    { class: 'search', role: 'search' },
    h('label', { class: 'field__label', for: 'search-input' }, t('search.label')),
    h(
      'div',
      { class: 'search__row' },
      input,
      h('button', { class: 'button', type: 'submit', testid: 'search-go' }, t('search.go')),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(true);
  });
  return h('section', { class: 'search-panel' }, form, results, more);
}
