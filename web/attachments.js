// Files on messages, for the room chat and the DM thread: a composer tray (attach button, drag-and-drop, paste;
// each file uploads at once and shows as a chip), and what a sent message shows (image previews, download buttons).
// Files are fetched with the bearer token and shown through blob: URLs, since no header rides on <img src>.
import { ApiError } from './api.js';
import { h, icon } from './dom.js';
import { uploads } from './endpoints.js';
import { t } from './i18n.js';
import { errorText } from './ui.js';

/** @import { Attachment } from './endpoints.js' */

export const MAX_FILES = 10;

/** @param {number} bytes */
function sizeText(bytes) {
  if (bytes < 1024) return t('attach.bytes', { count: bytes });
  if (bytes < 1024 * 1024) return t('attach.kb', { count: Math.round(bytes / 1024) });
  return t('attach.mb', { count: (bytes / 1048576).toFixed(1) });
}

/** Saves a file the browser fetched (with the token) under its own name. @param {Attachment} attachment */
async function download(attachment) {
  const url = URL.createObjectURL(await uploads.file(attachment.id));
  const link = h('a', { href: url, download: attachment.filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

/**
 * A file the server no longer has (its message was deleted after the event that lists it, which a
 * replay from the log still carries): its name and "file removed", nothing to click.
 * @param {Attachment} attachment
 */
function removedFile(attachment) {
  return h(
    'span',
    { class: 'attachment attachment--removed', testid: 'attachment-removed', tabindex: '-1' },
    icon('clip'),
    h('span', { class: 'attachment__name' }, attachment.filename),
    h('span', { class: 'attachment__size' }, t('attach.removed')),
  );
}

/** @param {unknown} error */
const isGone = (error) => error instanceof ApiError && error.status === 404;

/**
 * Downloads the attachment; when the server answers that it is gone, `shown` becomes "file removed".
 * @param {Attachment} attachment @param {HTMLElement} shown
 */
function downloadOrMarkGone(attachment, shown) {
  download(attachment).catch((error) => {
    if (!isGone(error)) return;
    const removed = removedFile(attachment);
    shown.replaceWith(removed);
    removed.focus(); // the button that had the focus is gone
  });
}

/** An image's preview: loaded after the message is shown, a plain file button if it cannot be. @param {Attachment} attachment */
function imagePreview(attachment) {
  const image = h('img', {
    class: 'attachment__image',
    alt: attachment.filename,
    testid: 'attachment-preview',
    width: attachment.width && attachment.height ? Math.min(320, attachment.width) : null,
  });
  /** @type {HTMLElement} */
  const button = h(
    'button',
    {
      class: 'attachment attachment--image',
      type: 'button',
      title: t('attach.download', { name: attachment.filename }),
      'aria-label': t('attach.download', { name: attachment.filename }),
      onclick: () => downloadOrMarkGone(attachment, button),
    },
    image,
  );
  uploads
    .thumbnail(attachment.id)
    .then((blob) => {
      image.src = URL.createObjectURL(blob);
    })
    .catch((error) => button.replaceWith(isGone(error) ? removedFile(attachment) : fileButton(attachment)));
  return button;
}

/** @param {Attachment} attachment */
function fileButton(attachment) {
  /** @type {HTMLElement} */
  const button = h(
    'button',
    {
      class: 'attachment attachment--file',
      type: 'button',
      testid: 'attachment-file',
      'aria-label': t('attach.download', { name: attachment.filename }),
      onclick: () => downloadOrMarkGone(attachment, button),
    },
    icon('clip'),
    h('span', { class: 'attachment__name' }, attachment.filename),
    h('span', { class: 'attachment__size' }, sizeText(attachment.size)),
  );
  return button;
}

/**
 * What a sent message carries, or nothing when it carries no files.
 * @param {Attachment[] | undefined} attachments
 */
export function attachmentList(attachments) {
  if (!attachments?.length) return null;
  return h(
    'div',
    { class: 'attachments', testid: 'attachments' },
    attachments.map((attachment) => (attachment.thumbnail_url ? imagePreview(attachment) : fileButton(attachment))),
  );
}

/**
 * Files dropped on `area` go to `onFiles`; the area is marked while files are dragged over it.
 * @param {HTMLElement} area
 * @param {(files: File[]) => void} onFiles
 */
export function dropZone(area, onFiles) {
  /** @param {DragEvent} event */
  const carriesFiles = (event) => Boolean(event.dataTransfer?.types.includes('Files'));
  area.addEventListener('dragover', (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    area.classList.add('drop-target');
  });
  area.addEventListener('dragleave', () => area.classList.remove('drop-target'));
  area.addEventListener('drop', (event) => {
    area.classList.remove('drop-target');
    if (!carriesFiles(event)) return;
    event.preventDefault();
    onFiles([...(event.dataTransfer?.files ?? [])]);
  });
}

/**
 * @typedef {object} Pending a file in the composer
 * @property {string | null} id its upload id once uploaded
 * @property {Promise<void>} done settles when the upload ends, either way
 * @property {HTMLLIElement} chip
 */

/** The files waiting in a composer: each is uploaded as soon as it is picked, dropped or pasted. */
export class PendingFiles {
  /**
   * @param {{idPrefix: string, onError: (text: string) => void}} options idPrefix names the hidden file input
   */
  constructor({ idPrefix, onError }) {
    this.onError = onError;
    /** @type {Pending[]} */
    this.items = [];
    this.tray = h('ul', { class: 'attach-tray', testid: 'attach-tray', hidden: true, 'aria-label': t('attach.files') });
    this.picker = h('input', {
      type: 'file',
      multiple: true,
      id: `${idPrefix}-files`,
      class: 'visually-hidden',
      tabindex: '-1',
      'aria-label': t('attach.button'),
      testid: 'attach-input',
      onchange: () => {
        this.add([...(this.picker.files ?? [])]);
        this.picker.value = '';
      },
    });
    const button = h(
      'button',
      {
        class: 'icon-button',
        type: 'button',
        testid: 'attach-button',
        'aria-label': t('attach.button'),
        title: t('attach.button'),
        onclick: () => this.picker.click(),
      },
      icon('clip'),
    );
    /** The attach button, with the file input it opens (hidden: the button is its visible, labelled face). */
    this.control = h('span', { class: 'attach-control' }, button, this.picker);
  }

  /** Drops on `area` and pastes into `input` attach files. @param {HTMLElement} area @param {HTMLElement} input */
  listen(area, input) {
    dropZone(area, (files) => this.add(files));
    this.listenForPaste(input);
  }

  /** A paste that carries files attaches them; a paste of text stays text. @param {HTMLElement} input */
  listenForPaste(input) {
    input.addEventListener('paste', (event) => {
      const files = [...(event.clipboardData?.files ?? [])];
      if (!files.length) return;
      event.preventDefault();
      this.add(files);
    });
  }

  /** @param {File[]} files */
  add(files) {
    for (const file of files) {
      if (this.items.length >= MAX_FILES) {
        this.onError(t('attach.too_many', { count: MAX_FILES }));
        return;
      }
      this.items.push(this.start(file));
    }
    this.tray.hidden = !this.items.length;
  }

  /** @param {File} file @returns {Pending} */
  start(file) {
    const name = file.name || t('attach.pasted');
    const preview = file.type.startsWith('image/')
      ? h('img', { class: 'attach-chip__image', alt: '', src: URL.createObjectURL(file) })
      : icon('clip');
    const remove = h('button', { class: 'icon-button attach-chip__remove', type: 'button', testid: 'attach-remove' });
    remove.setAttribute('aria-label', t('attach.remove', { name }));
    remove.append(icon('close'));
    const chip = h(
      'li',
      { class: 'attach-chip attach-chip--busy', testid: 'attach-chip', 'aria-busy': 'true' },
      preview,
      h('span', { class: 'attach-chip__name' }, name),
      remove,
    );
    this.tray.append(chip);
    /** @type {Pending} */
    const item = { id: null, chip, done: Promise.resolve() };
    item.done = uploads.upload(file, name).then(
      (answer) => {
        item.id = answer.id;
        chip.classList.remove('attach-chip--busy');
        chip.removeAttribute('aria-busy');
      },
      (error) => {
        this.drop(item);
        const tooLarge = error instanceof ApiError && error.code === 'payload_too_large';
        this.onError(`${name}: ${tooLarge ? t('attach.too_large') : errorText(error)}`);
      },
    );
    remove.addEventListener('click', () => this.drop(item));
    return item;
  }

  /** @param {Pending} item */
  drop(item) {
    this.items = this.items.filter((other) => other !== item);
    item.chip.remove();
    this.tray.hidden = !this.items.length;
  }

  /** The ids of the uploaded files, once every upload still running has ended. */
  async ready() {
    await Promise.all(this.items.map((item) => item.done));
    return this.items.flatMap((item) => (item.id ? [item.id] : []));
  }

  clear() {
    for (const item of this.items) item.chip.remove();
    this.items = [];
    this.tray.hidden = true;
  }
}
