// Inside a third-party <iframe> (/embed/<id>) a browser that blocks third-party cookies also denies the page its
// localStorage and sessionStorage: reading either throws. Imported first by embed.js, this puts a store in memory in
// their place, so the rest of the client runs unchanged; what it keeps lasts as long as the page.

/** @returns {Storage} */
function memoryStorage() {
  /** @type {Map<string, string>} */
  const items = new Map();
  return {
    get length() {
      return items.size;
    },
    key: (index) => [...items.keys()][index] ?? null,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => {
      items.set(key, String(value));
    },
    removeItem: (key) => {
      items.delete(key);
    },
    clear: () => items.clear(),
  };
}

/** @param {'localStorage' | 'sessionStorage'} name */
function ensureUsable(name) {
  try {
    window[name].getItem('conference.probe');
  } catch {
    Object.defineProperty(window, name, { value: memoryStorage(), configurable: true });
  }
}

ensureUsable('localStorage');
ensureUsable('sessionStorage');
