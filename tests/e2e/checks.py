"""What the browser test looks for on a page: sideways scroll, axe-core's violations, English interface text in
Kazakh and Russian, Content-Security-Policy refusals. Each check returns a list of readable problems (empty when
the page is fine), so a failure names the page, the element and the text.

The English check reads interface text only. Data is not interface, and is skipped where the page says so: an
element marked with another language (lang="en" on a name or title that exists only in English) or marked
translate="no" (what a person typed or uploaded, shown as it is: an import's cells and column names, a file's name,
a user name; a command's name). Such a marker is for data only: interface text marked with it would hide from this
check, so it is never put on a label, a heading or a sentence of ours."""

from __future__ import annotations

import re
from pathlib import Path

AXE_JS = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
# axe is handed to the page from the site's own origin, so the page's CSP (script-src 'self') stays in force.
AXE_URL_PATH = "/__e2e__/axe.min.js"

# Words in Latin script that are the same in every language of the site, each for a reason:
ALLOWED_LATIN = {
    "Qogam",  # the site's name
    "API",
    "CSV",
    "JSON",
    "XLSX",  # file formats and the programming interface, written so in Kazakh and Russian too
    "OCDS",
    "360Giving",  # the names of the open data standards
    "CIVICUS",  # the alliance whose Civil Society Index the scores follow
    "Candid",
    "GuideStar",  # the US charity-information service (formerly GuideStar) whose seals the transparency tiers follow
    "org-id",  # the organisation identifier standard (org-id.guide) whose scheme names our identifiers
    "KZ-BIN",  # org-id's list code for Kazakhstan's BIN register, the prefix of an identifier (KZ-BIN-…)
    "Excel",  # the spreadsheet program, named so in Kazakh and Russian too
    "HHI",  # the Herfindahl-Hirschman index, abbreviated so in the literature of every language
    "KZT",  # the ISO 4217 code of the tenge
    "n",  # a sample's size, so written in statistics in every language
    "p",  # a test's p-value, likewise
    "IQR",  # the interquartile range of Tukey's fences, abbreviated so in statistics texts of every language
    "Open",
    "Contracting",
    "Partnership",  # the Open Contracting Partnership, the organisation behind OCDS (a proper name)
    "Cardinal",  # its red-flag library, a proper name
    "releases",
    "records",  # OCDS's own names for its two package kinds, given in brackets after the translated words
    "Aliyev",
    "Aliev",  # the example of two Latin spellings of one surname, in the people flags' rule (shown as spelt)
}

# A Latin word: letters, possibly joined by _ - . (so `has_board`, `seed_demo` and `KZ-71` are one word each).
_WORD = re.compile(r"[^\W_](?:[\w.\-]*[^\W_])?")
_LATIN = re.compile(r"[A-Za-z]")
# URLs, e-mail addresses, our files' names (qogam-awards.csv) and the licence's name are the same in every language.
_URL_OR_EMAIL = re.compile(
    r"(?:https?://|www\.)\S+|\S+@\S+\.\S+|\S+\.(?:kz|org|com|net|gov)\b\S*|[\w.\-]+\.(?:csv|json|xlsx|zip)\b"
    r"|\bCC BY(?:-SA)? [0-9.]+",
    re.IGNORECASE,
)


def latin_words(text: str) -> list[str]:
    """The words of `text` that are interface text in Latin script: not a URL or an e-mail address, not a code with
    digits in it (a BIN, an ISO region code like KZ-71, an identifier like KZ-BIN-…, a public id), not allowed."""
    words = []
    for word in _WORD.findall(_URL_OR_EMAIL.sub(" ", text)):
        if not _LATIN.search(word) or any(ch.isdigit() for ch in word) or word in ALLOWED_LATIN:
            continue
        # Kazakh joins its endings to a Latin name with a hyphen: Qogam-ның, KZT-ге.
        latin_parts = [part for part in word.split("-") if _LATIN.search(part)]
        if all(part in ALLOWED_LATIN for part in latin_parts):
            continue
        words.append(word)
    return words


# document.documentElement.scrollWidth against the viewport, and the elements that stick out, widest first.
WIDTH_JS = """() => {
  const vw = window.innerWidth, sw = document.documentElement.scrollWidth;
  if (sw <= vw) return {vw, sw, culprits: []};
  const culprits = [];
  const clipped = el => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== 'visible') return true;
    }
    return false;
  };
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= vw + 0.5 || !el.checkVisibility()) continue;
    // report the outermost element that sticks out, not each of its children nor what scrolls in its own box
    if (el.parentElement && el.parentElement.getBoundingClientRect().right > vw + 0.5) continue;
    if (clipped(el)) continue;
    let name = el.tagName.toLowerCase();
    if (el.id) name += '#' + el.id;
    if (el.classList.length) name += '.' + [...el.classList].join('.');
    culprits.push([Math.round(r.right), name, (el.innerText || '').trim().slice(0, 60)]);
  }
  culprits.sort((a, b) => b[0] - a[0]);
  return {vw, sw, culprits: culprits.slice(0, 5)};
}"""

AXE_RUN_JS = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(
      n => n.target.join(' ') + ': ' + (n.failureSummary || '').split('\\n').slice(1, 2).join('')),
    count: v.nodes.length,
  }));
}"""

# Every piece of interface text a person meets on the page: visible text nodes (closed <details> opened first, as
# a person would), screen-reader-only text, and the attributes read out or shown (aria-label, placeholder, alt,
# title, button values). Text inside an element marked with another language (lang="en" on data that exists only
# in English) or translate="no" (data shown as it is: an uploaded file's cells, a command's name) is data, not
# interface text, and is left out.
TEXTS_JS = """(pageLang) => {
  document.querySelectorAll('details:not([open])').forEach(d => { d.open = true; });
  const otherLanguage = el => {
    const marked = el.closest('[lang]');
    return marked && !marked.lang.toLowerCase().startsWith(pageLang);
  };
  const excluded = el => el.closest('script, style, noscript, template, [translate="no"]')
    || otherLanguage(el);
  const shown = el => {
    const box = el.closest('select') || el;
    return box.checkVisibility({visibilityProperty: true}) || box.closest('.visually-hidden, .skip');
  };
  const where = el => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += '#' + el.id;
    if (el.classList.length) name += '.' + [...el.classList].join('.');
    const parent = el.parentElement;
    return parent ? parent.tagName.toLowerCase() + ' > ' + name : name;
  };
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.nodeValue.replace(/\\s+/g, ' ').trim();
    const el = node.parentElement;
    if (!text || !el || excluded(el) || !shown(el)) continue;
    out.push([where(el), text]);
  }
  const labelled = '[aria-label], [placeholder], [alt], [title], input[type=submit], input[type=button]';
  for (const el of document.body.querySelectorAll(labelled)) {
    if (excluded(el)) continue;
    for (const attr of ['aria-label', 'placeholder', 'alt', 'title', 'value']) {
      if (attr === 'value' && !['submit', 'button'].includes(el.type)) continue;
      const value = (el.getAttribute(attr) || '').trim();
      if (value) out.push([where(el) + '[' + attr + ']', value]);
    }
  }
  out.push(['title', document.title.trim()]);
  return out;
}"""


def width_problems(page, label: str) -> list[str]:
    found = page.evaluate(WIDTH_JS)
    if found["sw"] <= found["vw"]:
        return []
    culprits = "; ".join(f"{name} to {right}px ({text!r})" for right, name, text in found["culprits"])
    return [f"{label}: {found['sw']}px wide in a {found['vw']}px viewport; sticking out: {culprits}"]


def axe_problems(page, label: str) -> list[str]:
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(url=AXE_URL_PATH)
    problems = []
    for violation in page.evaluate(AXE_RUN_JS):
        nodes = " | ".join(violation["nodes"])
        problems.append(
            f"{label}: axe {violation['id']} ({violation['impact']}, {violation['count']} elements): "
            f"{violation['help']}: {nodes}"
        )
    return problems


def english_problems(page, label: str, language: str) -> list[str]:
    problems = []
    for where, text in page.evaluate(TEXTS_JS, language):
        words = latin_words(text)
        if words:
            problems.append(f"{label}: {where}: {text[:140]!r} (Latin: {', '.join(dict.fromkeys(words))})")
    return problems


def serve_axe(context) -> None:
    """Answer AXE_URL_PATH on the site's origin with the vendored axe-core, in every page of `context`."""
    body = AXE_JS.read_bytes()
    context.route(
        f"**{AXE_URL_PATH}",
        lambda route: route.fulfill(status=200, body=body, headers={"Content-Type": "text/javascript"}),
    )
