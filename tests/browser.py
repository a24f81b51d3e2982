"""What the accessibility browser tests check on every page they visit (tests/estate/test_a11y.py).

Chromium is Debian's (/usr/bin/chromium), driven by Playwright; axe-core comes bundled with the
``axe-playwright-python`` package (a dev dependency). Each check returns a list of problems, each
a line a person can act on (which rule, which element), so one run lists everything at once.
"""

import os
import shutil
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
HAS_CHROMIUM = os.path.exists(CHROMIUM)

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# The viewports every page is seen at: a phone (axe, tap targets, reflow), a desktop (axe), the
# narrowest phone WCAG's reflow criterion names (320 CSS px), and a phone with the browser's text
# size doubled (the "larger text" setting: the default font size becomes 32 px).
PHONE = {"name": "phone", "width": 360, "height": 740, "text": 16}
DESKTOP = {"name": "desktop", "width": 1280, "height": 800, "text": 16}
NARROW = {"name": "narrow", "width": 320, "height": 640, "text": 16}
TEXT200 = {"name": "text200", "width": 360, "height": 740, "text": 32}
VIEWPORTS = [PHONE, DESKTOP, NARROW, TEXT200]

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)


def new_page(browser, viewport):
    context = browser.new_context(
        viewport={"width": viewport["width"], "height": viewport["height"]},
        locale="zh-CN",
        device_scale_factor=1,
    )
    page = context.new_page()
    if viewport["text"] != 16:
        # Chromium's own font-size preference (what a user's "larger text" setting changes):
        # only text sized in rem/em follows it.
        cdp = context.new_cdp_session(page)
        cdp.send(
            "Page.setFontSizes",
            {"fontSizes": {"standard": viewport["text"], "fixed": round(viewport["text"] * 0.8)}},
        )
    return page


_axe = None


def axe_problems(page, where):
    """axe-core's WCAG 2.1 A/AA rules; a violation of impact serious or critical is a problem."""
    global _axe
    if _axe is None:
        from axe_playwright_python.sync_playwright import Axe

        _axe = Axe()
    results = _axe.run(
        page,
        options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]},
    )
    problems = []
    for violation in results.response["violations"]:
        if violation["impact"] not in ("serious", "critical"):
            continue
        for node in violation["nodes"][:5]:
            summary = node.get("failureSummary", "").replace("\n", " ")[:200]
            problems.append(
                f"{where}: axe {violation['id']} ({violation['impact']}) {node['target']}: {summary}"
            )
    return problems


_OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return null;
  const scrolls = e => { for (let p = e.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden') return true; }
    return false; };
  const wide = [...document.querySelectorAll('body *')].filter(e => {
      const r = e.getBoundingClientRect(); return r.width && r.right > width + 1 && !scrolls(e); })
    .filter((e, _, all) => !all.includes(e.parentElement))
    .slice(0, 6)
    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
         (e.className && typeof e.className === 'string' ? '.' + e.className.trim().replace(/\\s+/g, '.') : '') +
         ' "' + (e.innerText || '').trim().slice(0, 24) + '" right=' + Math.round(e.getBoundingClientRect().right));
  return {scroll: document.documentElement.scrollWidth, width, wide};
}"""


def overflow_problems(page, where):
    """Nothing may need sideways scrolling (WCAG 1.4.10 Reflow)."""
    found = page.evaluate(_OVERFLOW_JS)
    if not found:
        return []
    return [f"{where}: page is {found['scroll']} px wide in {found['width']} px: {found['wide']}"]


_TARGETS_JS = """(minimum) => {
  const visible = e => { const s = getComputedStyle(e); const r = e.getBoundingClientRect();
    return s.visibility !== 'hidden' && s.display !== 'none' && r.width > 0 && r.height > 0 &&
      !e.closest('[aria-hidden=true]'); };
  // A radio or check box is operated through its label: the label is the target.
  const target = e => (e.type === 'radio' || e.type === 'checkbox') ? (e.closest('label') || e.labels[0] || e) : e;
  // WCAG 2.5.8's inline exception: a link inside a sentence is sized by the text's line height.
  const inline = e => { if (e.tagName !== 'A' || getComputedStyle(e).display !== 'inline') return false;
    const block = e.parentElement;
    const own = [...block.childNodes].filter(n => n.nodeType === 3 && n.textContent.trim().length > 1);
    return own.length > 0; };
  const seen = new Set(); const small = [];
  for (const e of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')) {
    if (!visible(e)) continue;
    const t = target(e); if (seen.has(t)) continue; seen.add(t);
    if (inline(t)) continue;
    const r = t.getBoundingClientRect();
    if (r.width + 0.5 < minimum || r.height + 0.5 < minimum)
      small.push(t.tagName.toLowerCase() + (t.name ? '[name=' + t.name + ']' : '') +
        (t.id ? '#' + t.id : '') + ' "' + (t.innerText || t.value || '').trim().slice(0, 20) + '" ' +
        Math.round(r.width) + 'x' + Math.round(r.height));
  }
  return small;
}"""


def target_problems(page, where, minimum):
    """Every control at least minimum x minimum CSS px (residents 44, staff 24)."""
    small = page.evaluate(_TARGETS_JS, minimum)
    if not small:
        return []
    return [f"{where}: {len(small)} controls under {minimum}x{minimum} px: {small[:8]}"]


_DESCRIBEDBY_JS = """() => {
  const missing = [];
  for (const e of document.querySelectorAll('[aria-describedby]'))
    for (const id of e.getAttribute('aria-describedby').split(/\\s+/).filter(Boolean))
      if (!document.getElementById(id)) missing.push((e.name || e.id || e.tagName) + ' -> #' + id);
  return missing;
}"""


def describedby_problems(page, where):
    """Every aria-describedby names elements that exist (errors and help text tied to fields)."""
    missing = page.evaluate(_DESCRIBEDBY_JS)
    return [f"{where}: aria-describedby points to nothing: {missing}"] if missing else []


_BORDERS_JS = """() => {
  const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const behind = e => { for (let p = e.parentElement; p; p = p.parentElement) {
      const c = rgb(getComputedStyle(p).backgroundColor); if (c.length === 3 || c[3] > 0.5) return c.slice(0, 3); }
    return [255, 255, 255]; };
  const low = [];
  for (const e of document.querySelectorAll('input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=submit]):not([type=file]), select, textarea')) {
    const s = getComputedStyle(e); const r = e.getBoundingClientRect();
    if (s.display === 'none' || s.visibility === 'hidden' || !r.width || e.closest('[aria-hidden=true]')) continue;
    if (parseFloat(s.borderBottomWidth) === 0) continue;
    const border = rgb(s.borderBottomColor).slice(0, 3);
    const own = rgb(s.backgroundColor); const inside = (own.length === 3 || own[3] > 0.5) ? own.slice(0, 3) : behind(e);
    // The field is told from the page by its border against the page, or its filling against it.
    const page = behind(e);
    const best = Math.max(ratio(border, page), ratio(inside, page));
    if (best < 3) low.push((e.name || e.id || e.tagName) + ' ' + best.toFixed(2) + ':1');
  }
  return low;
}"""


def border_problems(page, where):
    """A field's edge at 3:1 against the page at least (WCAG 1.4.11 Non-text contrast)."""
    low = page.evaluate(_BORDERS_JS)
    return [f"{where}: field borders under 3:1: {low[:8]}"] if low else []


_FOCUS_JS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
  const ring = s.boxShadow && s.boxShadow !== 'none';
  return outline || ring ? '' : (e.tagName.toLowerCase() + (e.name ? '[name=' + e.name + ']' : '') + ' "' +
    (e.innerText || e.value || '').trim().slice(0, 20) + '"');
}"""


def focus_problems(page, where, tabs=12):
    """The first controls reached with Tab show a focus outline (WCAG 2.4.7 Focus visible)."""
    page.evaluate(
        "() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }"
    )
    unseen = []
    for _ in range(tabs):
        page.keyboard.press("Tab")
        name = page.evaluate(_FOCUS_JS)
        if name:
            unseen.append(name)
    return [f"{where}: no visible focus on {unseen[:8]}"] if unseen else []


_NAMES_JS = """() => {
  // (What a closed <details> holds is out of sight, though Chromium still lays it out.)
  const folded = e => { const d = e.closest('details'); return d && !d.open && !e.closest('summary'); };
  const shown = e => { const s = getComputedStyle(e); const r = e.getBoundingClientRect();
    return s.display !== 'none' && s.visibility !== 'hidden' && r.width > 0 && r.height > 0 && !folded(e); };
  const text = e => e && (e.innerText || '').trim();
  const found = [];
  const groups = new Set();
  for (const e of document.querySelectorAll('input[type=radio]')) {
    if (groups.has(e.name) || !shown(e)) continue;
    groups.add(e.name);
    const legend = e.closest('fieldset')?.querySelector(':scope > legend');
    if (!text(legend)) found.push('radio group ' + e.name + ' has no fieldset with a legend');
  }
  for (const e of document.querySelectorAll('input:not([type=hidden],[type=radio],[type=checkbox],[type=submit],[type=button],[type=reset]), textarea')) {
    if (!shown(e)) continue;
    const labelled = [...(e.labels || [])].some(l => shown(l) && text(l));
    const by = (e.getAttribute('aria-labelledby') || '').split(/\\s+/).some(id => text(document.getElementById(id)));
    if (!labelled && !by) found.push((e.name || e.id || e.tagName) + ' has no visible label');
  }
  // An aria-label on an element without a role that takes a name (a div, a span...) is not
  // read out (axe flags it only when the element has no text of its own).
  const generic = ['DIV', 'SPAN', 'P', 'SMALL', 'STRONG', 'EM', 'B', 'I', 'CODE'];
  for (const e of document.querySelectorAll('[aria-label]')) {
    const role = e.getAttribute('role');
    if (role ? ['presentation', 'none', 'generic'].includes(role) : generic.includes(e.tagName))
      found.push(e.tagName.toLowerCase() + ' has an aria-label nobody hears: ' + e.getAttribute('aria-label').slice(0, 30));
  }
  return found;
}"""


def name_problems(page, where):
    """Radio groups in a fieldset with a legend; every text field named by a visible label, not
    only by a placeholder (which disappears on typing) or an aria-label nobody sees. (A select
    shows its choice; the header's language menu is named by the language it shows.) And no
    aria-label on an element assistive technology reads no name of (a div, a span)."""
    found = page.evaluate(_NAMES_JS)
    return [f"{where}: {found[:8]}"] if found else []


_TEXT_JS = """(resident) => {
  const shown = e => { const s = getComputedStyle(e); const r = e.getBoundingClientRect();
    return s.display !== 'none' && s.visibility !== 'hidden' && r.width > 0 && r.height > 0; };
  // The size the user asked for: the browser's default font size (what 1rem is on a page that
  // does not set it on the root).
  const probe = document.createElement('div');
  probe.style.cssText = 'font-size:medium;position:absolute;visibility:hidden';
  document.documentElement.appendChild(probe);
  const asked = parseFloat(getComputedStyle(probe).fontSize);
  probe.remove();
  const small = [];
  const fields = 'input:not([type=hidden],[type=checkbox],[type=radio],[type=submit],[type=button],[type=file]), select, textarea';
  const texts = resident ? fields + ', main p, main li, .help, .errorlist, label, legend' : fields;
  for (const e of document.querySelectorAll(texts)) {
    if (!shown(e) || e.closest('[aria-hidden=true], .hp')) continue;
    if (!e.matches(fields) && !(e.innerText || '').trim()) continue;
    const size = parseFloat(getComputedStyle(e).fontSize);
    if (size + 0.05 < asked)
      small.push(e.tagName.toLowerCase() + (e.name ? '[name=' + e.name + ']' : '') +
        (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/)[0] : '') +
        ' ' + size.toFixed(1) + 'px');
  }
  return {asked, small};
}"""


def text_size_problems(page, where, *, resident):
    """Text follows the user's text size and stays readable: every field's text at least the
    browser's default size (16 px, or 32 px at 200% text; under 16 px iOS zooms into a field
    when it is tapped), and on resident pages every piece of text too, help text included."""
    found = page.evaluate(_TEXT_JS, resident)
    if not found["small"]:
        return []
    return [f"{where}: text under {found['asked']:g} px: {found['small'][:8]}"]


_ERROR_STATE_JS = """() => {
  // An invalid field looks different from the same field valid: its border (colour or width)
  // or its filling, not only an announcement a sighted user never hears.
  const look = e => { const s = getComputedStyle(e);
    return [s.borderBottomColor, s.borderBottomWidth, s.backgroundColor, s.outlineStyle].join(' '); };
  const same = [];
  const fields = 'input[aria-invalid=true]:not([type=hidden],[type=checkbox],[type=radio]), select[aria-invalid=true], textarea[aria-invalid=true]';
  for (const e of document.querySelectorAll(fields)) {
    if (!e.getBoundingClientRect().width) continue;
    const invalid = look(e);
    const marked = [...document.querySelectorAll('.has-error')].filter(p => p.contains(e));
    e.removeAttribute('aria-invalid'); marked.forEach(p => p.classList.remove('has-error'));
    const valid = look(e);
    e.setAttribute('aria-invalid', 'true'); marked.forEach(p => p.classList.add('has-error'));
    if (invalid === valid) same.push(e.name || e.id || e.tagName);
  }
  return same;
}"""


def error_state_problems(page, where):
    """Every invalid field shows it (WCAG 1.4.1: not by an announcement alone)."""
    same = page.evaluate(_ERROR_STATE_JS)
    return [f"{where}: invalid fields that look valid: {same[:8]}"] if same else []


def audit(page, where, viewport, *, resident):
    """Every check that applies at this viewport."""
    where = f"{viewport['name']} {where}"
    problems = describedby_problems(page, where)
    if viewport["name"] in ("phone", "desktop"):
        problems += axe_problems(page, where)
        problems += border_problems(page, where)
        problems += error_state_problems(page, where)
    if viewport["name"] in ("phone", "text200"):
        problems += text_size_problems(page, where, resident=resident)
    if viewport["name"] == "desktop":
        problems += focus_problems(page, where)
        problems += name_problems(page, where)
    if viewport["name"] != "desktop":
        problems += overflow_problems(page, where)
    if viewport["name"] == "phone":
        problems += target_problems(page, where, 44 if resident else 24)
    return problems


def screenshot(page, name):
    """The whole page under test-artifacts/<name>.png (the viewport grown to the page's height:
    Chromium's full-page capture loses the font-size preference)."""
    ARTIFACTS.mkdir(exist_ok=True)
    size = page.viewport_size
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": height})
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    page.set_viewport_size(size)
    return path


def submit_without_browser_checks(page, form_selector):
    """Send a form as it is, past the browser's own required/pattern checks, to see the server's
    errors (what a user sees whose browser does not check)."""
    page.eval_on_selector(form_selector, "f => { f.noValidate = true; }")
    with page.expect_navigation():
        page.click(f"{form_selector} [type=submit]")
