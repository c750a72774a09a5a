// The page's languages. Every text is written in English in the source and marked `_('...')`
// (translated where it is shown) or `N_('...')` (only marked: a table of texts translated when
// shown); `python tools/i18n.py update --domain playground` extracts them into the catalog.
// The translations come from the server as JSON (GET /i18n/<lang>.json); a text without one
// stays English. A text with values is a template with named placeholders, `{name}`, filled by
// `format`: `format(_('{n} steps'), { n })` (numbers are formatted before they go in).

/** The languages the page speaks, each named in itself (the switch shows these names). */
export const LANGUAGES = { en: 'English', ko: '한국어' };

const catalogs = { en: {} };
let current = 'en';
let messages = catalogs.en;

/** `msgid` in the current language (itself when the catalog has no translation). */
export function _(msgid) {
  return (msgid && messages[msgid]) || msgid;
}

/** Mark a text for translation without translating it (translate it with `_()` when shown). */
export const N_ = (msgid) => msgid;

/**
 * Fill the `{name}` placeholders of a template with `params` (a placeholder without a value is
 * left as it is). Python-style specs (`{x:.3f}`) are not interpreted: pass formatted strings.
 */
export function format(template, params = {}) {
  return String(template).replace(/\{(\w+)(?:![rsa])?(?::[^{}]*)?\}/g, (whole, name) => (
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole));
}

/** The current language. */
export const language = () => current;

/** A language the page speaks, or null. */
export const known = (lang) => (Object.prototype.hasOwnProperty.call(LANGUAGES, lang) ? lang : null);

/** Fetch the catalog of `lang` (once); resolves to the catalog. */
export async function loadCatalog(lang) {
  if (!catalogs[lang]) {
    const response = await fetch(`/i18n/${encodeURIComponent(lang)}.json`);
    if (!response.ok) throw new Error(`GET /i18n/${lang}.json: HTTP ${response.status}`);
    catalogs[lang] = await response.json();
  }
  return catalogs[lang];
}

/**
 * Speak `lang` from now on: load its catalog, then switch every `_()` at once and set
 * `<html lang>`. Resolves to the language in effect (the old one if the catalog failed).
 */
export async function setLanguage(lang) {
  const want = known(lang) || 'en';
  const catalog = await loadCatalog(want);
  current = want;
  messages = catalog;
  document.documentElement.lang = want;
  return current;
}

/** Text with markup: only <b>, <i> and <br> survive (the rest is shown as text). */
export function safeHtml(text) {
  return String(text)
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
    .replace(/&lt;(\/?)(b|i)&gt;/g, '<$1$2>')
    .replace(/&lt;br\s*\/?&gt;/g, '<br>');
}
