// Dialogs of groups: a new group (title and members picked from my contacts), and a group's members
// (admins rename, add and remove; everyone may leave).
import { h } from '../dom.js';
import { contacts, groups } from '../endpoints.js';
import { t } from '../i18n.js';
import { avatar, errorText, openDialog, toast } from '../ui.js';

/** @import { Contact, Group, Person } from '../endpoints.js' */

/** @param {Pick<Person, 'login' | 'display_name'>} person */
const nameOf = (person) => person.display_name || person.login;

/** My accepted contacts as labelled checkboxes, leaving out who is in already. @param {Set<string>} skip */
async function contactPicker(skip) {
  const items = /** @type {Contact[]} */ ((await contacts.list()).items).filter(
    (c) => c.status === 'accepted' && !skip.has(c.user.id),
  );
  const boxes = items.map((c) =>
    h('input', { type: 'checkbox', value: c.user.id, testid: 'group-pick', dataset: { userId: c.user.id } }),
  );
  const list = h(
    'fieldset',
    { class: 'picker' },
    h('legend', { class: 'field__label' }, t('groups.pick_members')),
    items.length
      ? items.map((c, i) => h('label', { class: 'picker__item' }, boxes[i], avatar(nameOf(c.user)), nameOf(c.user)))
      : h('p', { class: 'list__meta' }, t('groups.no_contacts')),
  );
  const chosen = () => boxes.filter((box) => box.checked).map((box) => box.value);
  return { list, chosen };
}

/** Asks for a title and members, then creates the group. @param {(group: Group) => void} onCreated */
export async function openNewGroup(onCreated) {
  const title = h('input', { id: 'group-title-input', class: 'input', maxlength: 100, testid: 'group-title-input' });
  const picker = await contactPicker(new Set()).catch(() => ({ list: null, chosen: () => [] }));
  const error = h('p', { class: 'form-error', role: 'alert' });
  const create = async () => {
    try {
      const group = await groups.create(title.value, picker.chosen());
      dialog.close();
      onCreated(group);
    } catch (failure) {
      error.textContent = errorText(failure);
    }
  };
  const dialog = openDialog({
    title: t('groups.new'),
    testid: 'new-group',
    body: [
      h('label', { class: 'field__label', for: 'group-title-input' }, t('groups.title')),
      title,
      picker.list,
      error,
    ],
    actions: [
      h('button', { class: 'button', type: 'button', onclick: () => dialog.close() }, t('common.cancel')),
      h(
        'button',
        { class: 'button button--primary', type: 'button', testid: 'group-create', onclick: create },
        t('groups.create'),
      ),
    ],
  });
  title.focus();
}

/**
 * The members as rows; for an admin (`adminId`, else null) each other member has a remove button.
 * @param {Group} group @param {string | false} adminId @param {(userId: string) => void} remove
 */
function memberRows(group, adminId, remove) {
  return group.members.map((m) =>
    h(
      'li',
      { class: 'list__row', testid: 'group-member', dataset: { userId: m.user.id } },
      avatar(nameOf(m.user)),
      h('span', { class: 'list__main' }, nameOf(m.user), m.role === 'admin' ? ` · ${t('groups.admin')}` : ''),
      adminId && m.user.id !== adminId
        ? h(
            'button',
            {
              class: 'button button--ghost',
              type: 'button',
              testid: 'group-remove',
              'aria-label': t('groups.remove', { name: nameOf(m.user) }),
              onclick: () => remove(m.user.id),
            },
            t('groups.remove_short'),
          )
        : null,
    ),
  );
}

/**
 * A group's members; admins may rename it, add contacts and remove members. `onChange` gets the group as it
 * is now, or null once I left it.
 * @param {Group} group @param {string} me @param {(group: Group | null) => void} onChange
 */
export async function openMembers(group, me, onChange) {
  const admin = group.members.some((m) => m.user.id === me && m.role === 'admin');
  /** @param {Promise<Group | null>} change */
  const act = (change) =>
    change
      .then((changed) => {
        dialog.close();
        onChange(changed);
      })
      .catch((error) => toast(errorText(error), { kind: 'error' }));
  const rows = memberRows(group, admin && me, (userId) => act(groups.removeMember(group.id, userId)));
  /** @type {HTMLElement[]} */
  const body = [h('ul', { class: 'list' }, rows)];
  let picker = null;
  const rename = h('input', { id: 'group-rename', class: 'input', maxlength: 100, value: group.title });
  if (admin) {
    picker = await contactPicker(new Set(group.members.map((m) => m.user.id))).catch(() => null);
    body.push(h('label', { class: 'field__label', for: 'group-rename' }, t('groups.title')), rename);
    if (picker) body.push(picker.list);
  }
  const save = () => {
    const added = picker?.chosen() ?? [];
    const renamed =
      rename.value.trim() !== group.title ? groups.rename(group.id, rename.value) : Promise.resolve(group);
    act(renamed.then((g) => (added.length ? groups.addMembers(group.id, added) : g)));
  };
  const button = (
    /** @type {string} */ testid,
    /** @type {string} */ kind,
    /** @type {string} */ label,
    /** @type {() => void} */ onclick,
  ) => h('button', { class: `button ${kind}`, type: 'button', testid, onclick }, label);
  const dialog = openDialog({
    title: t('groups.members_title', { title: group.title }),
    testid: 'group-members-dialog',
    body,
    actions: [
      button('group-leave', 'button--danger', t('groups.leave'), () => act(groups.leave(group.id).then(() => null))),
      ...(admin ? [button('group-save', 'button--primary', t('groups.save'), save)] : []),
      button('group-members-close', '', t('common.close'), () => dialog.close()),
    ],
  });
}
