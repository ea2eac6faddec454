"""Checks of one page in a browser, for any browser test: axe-core with the
WCAG 2.1 A/AA rules, what axe does not check (repeated ids, references to
nothing), reflow at 320 px, form errors tied to their fields and announced, and
a keyboard walk through a form with a visible focus."""
from __future__ import annotations

from tests.browser.conftest import WCAG_TAGS, assert_accessible

VIEWPORT = {"width": 1280, "height": 900}

_AXE = None


def axe_violations(page) -> list[dict]:
    """axe-core's WCAG 2.1 A and AA violations on the current page."""
    global _AXE
    if _AXE is None:
        from axe_playwright_python.sync_playwright import Axe

        _AXE = Axe()
    results = _AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                      "resultTypes": ["violations"]})
    return results.response["violations"]


# What axe-core no longer checks or checks only in part: ids used twice, and
# references (aria-describedby, label for, #links) that point at nothing.
MARKUP_CHECKS = """() => {
  const problems = [], count = new Map();
  for (const el of document.querySelectorAll('[id]')) count.set(el.id, (count.get(el.id) || 0) + 1);
  for (const [id, n] of count) if (n > 1) problems.push(`id "${id}" is used ${n} times`);
  const name = el => `<${el.tagName.toLowerCase()}${el.id ? ' id=' + el.id : ''}${el.name ? ' name=' + el.name : ''}>`;
  for (const attr of ['aria-describedby', 'aria-labelledby', 'aria-controls']) {
    for (const el of document.querySelectorAll(`[${attr}]`)) {
      for (const ref of el.getAttribute(attr).split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(ref)) problems.push(`${attr}="${ref}" of ${name(el)} names no element`);
      }
    }
  }
  for (const label of document.querySelectorAll('label[for]')) {
    const target = document.getElementById(label.htmlFor);
    if (!target || !target.matches('input:not([type=hidden]), select, textarea, button, meter, output, progress'))
      problems.push(`<label for="${label.htmlFor}"> labels no form control`);
  }
  for (const link of document.querySelectorAll('a[href^="#"]')) {
    const id = decodeURIComponent(link.getAttribute('href').slice(1));
    if (id && !document.getElementById(id)) problems.push(`link to #${id} goes nowhere`);
  }
  for (const el of document.querySelectorAll('[tabindex]'))
    if (el.tabIndex > 0) problems.push(`${name(el)} has a positive tabindex (changes the tab order)`);
  return problems;
}"""


def markup_problems(page) -> list[str]:
    return page.evaluate(MARKUP_CHECKS)


# Elements wider than a 320 px window (WCAG 1.4.10 Reflow), but in data tables
# and scrolling boxes, which may scroll sideways.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth, found = [];
  const scrolls = el => { for (let p = el.parentElement; p; p = p.parentElement)
    if (['auto', 'scroll'].includes(getComputedStyle(p).overflowX)) return true; return false; };
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 1 && !el.closest('table') && !scrolls(el))
      found.push(`<${el.tagName.toLowerCase()}${el.id ? ' id=' + el.id : ''}${el.className ? ' class="' + el.className + '"' : ''}>`);
  }
  return found.slice(0, 3);
}"""


def reflow_problems(page) -> list[str]:
    """What sticks out of a 320 px window (the page is then put back to VIEWPORT)."""
    page.set_viewport_size({"width": 320, "height": 640})
    try:
        return page.evaluate(OVERFLOWING)
    finally:
        page.set_viewport_size(VIEWPORT)


PHONE = {"width": 390, "height": 844}

# How much wider than the window the page is (a page that scrolls sideways), and
# the widest elements sticking out, to say where to look.
SIDEWAYS = """() => {
  const width = window.innerWidth, found = [];
  const scrolls = el => { for (let p = el.parentElement; p; p = p.parentElement)
    if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return true; return false; };
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 1 && !scrolls(el))
      found.push(`<${el.tagName.toLowerCase()}${el.id ? ' id=' + el.id : ''}${el.className && el.className.baseVal === undefined ? ' class="' + el.className + '"' : ''}> ${Math.round(box.right)} px`);
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width, found: found.slice(0, 3)};
}"""


def phone_problems(page) -> tuple[list[str], list[dict]]:
    """At a phone's 390 CSS px: the page must not scroll sideways (tables scroll
    inside their own box), and axe finds nothing there either. The page is then
    put back to VIEWPORT."""
    page.set_viewport_size(PHONE)
    try:
        measured = page.evaluate(SIDEWAYS)
        problems = []
        if measured["scrollWidth"] > measured["innerWidth"]:
            problems.append(f"scrolls sideways at 390 px ({measured['scrollWidth']} px wide): "
                            + ", ".join(measured["found"]))
        return problems, axe_violations(page)
    finally:
        page.set_viewport_size(VIEWPORT)


# Each error next to a field is in that field's (or its fieldset's) description,
# and a role="alert" summary links to the fields; the title says there is an error.
ERROR_CHECKS = """() => {
  const problems = [];
  const name = el => `<${el.tagName.toLowerCase()}${el.id ? ' id=' + el.id : ''}>`;
  const summaries = [...document.querySelectorAll('[role=alert]')].filter(el => el.querySelector('a[href^="#"]'));
  if (!summaries.length) problems.push('no role="alert" summary with links to the fields');
  const messages = [...document.querySelectorAll('.error-message')];
  if (!messages.length) problems.push('no error message next to a field');
  const describedBy = el => (el.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean);
  const describers = [...document.querySelectorAll('[aria-describedby]')];
  for (const message of messages) {
    const text = message.textContent.trim().slice(0, 60);
    if (!message.id || !describers.some(el => describedBy(el).includes(message.id)))
      problems.push(`error "${text}" is not linked to its field by aria-describedby`);
  }
  for (const el of document.querySelectorAll('[aria-invalid=true]')) {
    const group = el.closest('fieldset[aria-describedby]');
    const ids = describedBy(el).concat(group ? describedBy(group) : []);
    if (!ids.some(id => document.getElementById(id)?.classList.contains('error-message')))
      problems.push(`${name(el)} is marked invalid but its error is not in its description`);
  }
  if (!document.title.startsWith('Error')) problems.push(`the title "${document.title}" does not start with "Error:"`);
  return problems;
}"""


def error_problems(page) -> list[str]:
    """Problems of a page that shows a form's errors (empty when they are announced and linked)."""
    return page.evaluate(ERROR_CHECKS)


# Marks the controls of a form that Tab should reach: every visible one, even
# with tabindex=-1 (a radio group is one stop; aria-hidden duplicates are not
# controls to a keyboard user).
KEYBOARD_STOPS = """(scope) => {
  const root = document.querySelector(scope);
  if (!root) return null;
  const stops = new Set();
  [...root.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex], [role=button], [role=link]')]
    .filter(el => el.type !== 'hidden' && !el.matches(':disabled') && !el.closest('[aria-hidden=true]')
                  && el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
    .forEach((el, i) => { el.dataset.kb = el.type === 'radio' ? `radio ${el.name}` : `${el.tagName.toLowerCase()} ${el.name || el.id || el.textContent.trim().slice(0, 40)} #${i}`;
                          stops.add(el.dataset.kb); });
  return [...stops];
}"""
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el), box = el.getBoundingClientRect();
  return {key: el.dataset.kb || null, tag: el.tagName.toLowerCase(), text: (el.textContent || el.name || '').trim().slice(0, 40),
          indicator: (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== 'none',
          shown: box.width > 0 && box.height > 0};
}"""


# Tab starts where the focus (or the last click) was: start it at the top.
FROM_THE_TOP = """() => {
  const start = document.createElement('a');
  start.href = '#';
  document.body.prepend(start);
  start.focus();
  start.remove();
}"""


def keyboard_problems(page, scope: str) -> list[str]:
    """Tab from the top of the page to its end: every control of the form
    ``scope`` (a CSS selector) is reached, and every focused element shows
    where the focus is."""
    expected = page.evaluate(KEYBOARD_STOPS, scope)
    if expected is None:
        return [f"no {scope} on the page"]
    page.evaluate(FROM_THE_TOP)
    reached, problems = set(), []
    for _ in range(400):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            break  # past the last control
        reached.add(focused["key"])
        if not (focused["indicator"] and focused["shown"]):
            problems.append(f"the focus on <{focused['tag']}> “{focused['text']}” is not visible")
    problems += [f"Tab never reaches {key}" for key in expected if key not in reached]
    return sorted(set(problems))


def checked(page) -> None:
    """Every check at once: axe, the markup, reflow at 320 px and the phone's width."""
    assert_accessible(page)
    assert markup_problems(page) == []
    assert reflow_problems(page) == []
    problems, violations = phone_problems(page)
    assert problems == [] and violations == []
