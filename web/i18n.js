// Translations: strings live in i18n/<lang>.json; the language comes from a saved choice or navigator.language.
export const LANGUAGES = ['en', 'ru'];
const STORAGE_KEY = 'conference.lang';
/** @typedef {Record<string, string | Record<string, string>>} Strings a value may be plural forms */
/** @type {Strings} */
let strings = {};
/** @type {Strings} */
let fallback = {};
let current = 'en';

/** @returns {string} */
function preferred() {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved && LANGUAGES.includes(saved)) return saved;
  for (const tag of navigator.languages || [navigator.language || 'en']) {
    const base = String(tag).slice(0, 2).toLowerCase();
    if (LANGUAGES.includes(base)) return base;
  }
  return 'en';
}

/**
 * @param {string} lang
 * @returns {Promise<Strings>}
 */
async function load(lang) {
  const response = await fetch(new URL(`./i18n/${lang}.json`, import.meta.url));
  return response.json();
}

/** @param {string} [lang] */
export async function initI18n(lang = preferred()) {
  if (!Object.keys(fallback).length) fallback = await load('en');
  strings = lang === 'en' ? fallback : await load(lang);
  current = lang;
  document.documentElement.lang = lang;
}

/** @param {string} lang */
export async function setLanguage(lang) {
  localStorage.setItem(STORAGE_KEY, lang);
  await initI18n(lang);
}

export function language() {
  return current;
}

/**
 * t('home.title'), t('room.you', {name}); a value may be {one, few, many, other} chosen by vars.count.
 * @param {string} key
 * @param {Record<string, string | number>} [vars]
 * @returns {string}
 */
export function t(key, vars = {}) {
  let value = strings[key] ?? fallback[key] ?? key;
  if (typeof value === 'object') {
    const form = new Intl.PluralRules(current).select(Number(vars.count ?? 0));
    value = value[form] ?? value.other;
  }
  return value.replace(/\{(\w+)\}/g, (match, /** @type {string} */ name) =>
    name in vars ? String(vars[name]) : match,
  );
}

/** @param {string | null | undefined} iso */
export function formatDateTime(iso) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(current, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** @param {string | null | undefined} iso */
export function formatTime(iso) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(current, { hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

/** @param {number | null | undefined} seconds */
export function formatDuration(seconds) {
  const total = Math.max(0, Math.round(Number(seconds) || 0));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total % 60;
  if (hours) return t('duration.hm', { h: hours, m: minutes });
  if (minutes) return t('duration.ms', { m: minutes, s: secs });
  return t('duration.s', { s: secs });
}
