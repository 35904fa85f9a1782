"""Open every page of a built MkDocs site in headless Chromium and verify each formula.

Adapted from the shared recipe (recipes/mkdocs-math/check_math.py). The site is served
from 127.0.0.1 by a throw-away HTTP server; every request to another host is aborted and
reported, so a CDN link fails the check. Per page: formulas in the static HTML, how many
MathJax rendered, renderer errors (``mjx-merror``, KaTeX ``.katex-error``), formulas left
unrendered, TeX leaking into the text, console errors, page errors and failed requests.

Needs the ``playwright`` Python package and a Chromium binary (Debian's ``chromium``); it
never downloads a browser.
"""

from __future__ import annotations

import functools
import html
import http.server
import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    """Chromium to drive: $CHROMIUM, else Debian's /usr/bin/chromium, else one on PATH."""
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium",
                      shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


# Waits until the math engine is idle; returns its name and version.
WAIT_JS = r"""
async (timeoutMs) => {
  const t0 = performance.now();
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const total = () => document.querySelectorAll('.arithmatex').length;
  const done = () => [...document.querySelectorAll('.arithmatex')].filter(
      (el) => el.querySelector('mjx-container, .katex, .katex-error')).length;
  while (performance.now() - t0 < Math.min(timeoutMs, 5000)) {
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) break;
    if (window.katex && done() === total()) break;
    await sleep(50);
  }
  let engine = 'none';
  if (window.MathJax && MathJax.version) {
    engine = 'mathjax ' + MathJax.version;
    for (;;) {                       // the chain may grow while we wait
      const p = MathJax.startup.promise;
      try { await p; } catch (e) { /* reported through console / pageerror */ }
      if (p === MathJax.startup.promise) break;
    }
  } else if (window.katex) {
    engine = 'katex ' + katex.version;
  }
  let last = -1, since = performance.now();   // typesetting not chained on the promise
  while (engine !== 'none' && performance.now() - t0 < timeoutMs) {
    const c = done();
    if (c !== last) { last = c; since = performance.now(); }
    else if (performance.now() - since > 300) break;
    await sleep(50);
  }
  await document.fonts.ready;
  return engine;
}
"""

# The verdict for every formula on the page, plus TeX that leaked into the text.
COLLECT_JS = r"""
() => {
  const formulas = [...document.querySelectorAll('.arithmatex')].map((el, i) => {
    const mj = el.querySelector('mjx-container');
    const kx = el.querySelector('.katex');
    const kxErr = el.querySelector('.katex-error');
    let error = null;
    if (mj) {
      const m = mj.querySelector('mjx-merror, [data-mml-node="merror"]');
      if (m) error = m.getAttribute('data-mjx-error') || m.textContent || 'merror';
      const red = mj.querySelector('mjx-assistive-mml mtext[mathcolor="red"]');
      if (!error && red) error = 'undefined macro: ' + red.textContent;
    }
    if (kxErr) error = kxErr.getAttribute('title') || kxErr.textContent;
    if (el.hasAttribute('data-math-error')) error = el.getAttribute('data-math-error');
    return {index: i, display: el.tagName === 'DIV', rendered: !!(mj || kx || kxErr),
            error: error, tex: el.textContent.trim().slice(0, 200),
            rows: el.querySelectorAll('mjx-mtr, mjx-mlabeledtr, .katex-html .vlist-r').length};
  });
  const skip = 'code, pre, script, style, noscript, textarea, .arithmatex, mjx-container, .katex';
  const texRe = /\$\$|\\\(|\\\)|\\\[|\\\]|\\(begin|end)\{|\\(frac|partial|sigma|sum|mathbf|mathrm|left|right|cdot|odot|hat|delta|lvert|rvert|vert|text|operatorname)\b|\$[^$\s][^$]*[\\^_{}][^$]*\$/;
  const leaks = [];
  for (const el of document.querySelectorAll('.arithmatex')) {
    const before = el.previousSibling, after = el.nextSibling;
    if ((before && before.nodeType === 3 && /\$$/.test(before.textContent)) ||
        (after && after.nodeType === 3 && /^\$/.test(after.textContent))) {
      leaks.push('stray $ next to a formula: ' + el.textContent.trim().slice(0, 80));
    }
  }
  for (const cell of document.querySelectorAll('article td, article th')) {
    let plain = '';
    const w = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let n = w.nextNode(); n; n = w.nextNode()) {
      if (!n.parentElement.closest(skip)) plain += n.textContent;
    }
    if ((plain.replace(/\\\$/g, '').split('$').length - 1) % 2 === 1) {
      leaks.push('odd number of $ in a table cell: ' + plain.trim().slice(0, 100));
    }
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.parentElement || n.parentElement.closest(skip)) continue;
    const text = n.textContent;
    if (texRe.test(text)) leaks.push(text.trim().replace(/\s+/g, ' ').slice(0, 160));
  }
  const cells = document.querySelectorAll('article table tr').length;
  return {formulas, leaks, title: document.title, rows: cells};
}
"""

Shot = tuple[Path, str]
_ARITHMATEX = re.compile(r'<(span|div) class="arithmatex">(.*?)</\1>', re.S)


@dataclass
class PageReport:
    """What the browser saw on one page."""

    url: str
    engine: str = ""
    static: int = 0                    # formulas arithmatex wrote into the HTML
    found: int = 0                     # .arithmatex elements in the live page
    rendered: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    unrendered: list[dict[str, Any]] = field(default_factory=list)
    lost_breaks: list[str] = field(default_factory=list)   # \\ in the source, one row shown
    leaks: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    seconds: float = 0.0
    title: str = ""

    @property
    def ok(self) -> bool:
        return (self.engine.startswith("mathjax") or self.static == 0) and \
            self.found == self.static == self.rendered and \
            not (self.errors or self.unrendered or self.lost_breaks or self.leaks
                 or self.console or self.failed)

    def problems(self) -> str:
        lines = [f"{self.url}: engine={self.engine!r} static={self.static} found={self.found} "
                 f"rendered={self.rendered}"]
        lines += [f"  error #{e['index']}: {e['error']} <- {e['tex'][:80]!r}" for e in self.errors]
        lines += [f"  unrendered #{e['index']}: {e['tex'][:80]!r}" for e in self.unrendered]
        lines += [f"  line breaks lost: {tex[:80]!r}" for tex in self.lost_breaks]
        lines += [f"  leak: {leak!r}" for leak in self.leaks]
        lines += [f"  console: {message[:200]}" for message in self.console]
        lines += [f"  failed request: {request}" for request in self.failed]
        return "\n".join(lines)


def html_pages(site: Path) -> dict[str, list[str]]:
    """URL path -> TeX of each formula in the static HTML, for every page of the built site."""
    pages = {}
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        if rel == "404.html" or rel.startswith(("assets/", "search/")):
            continue
        pages[rel] = [html.unescape(match[1]).strip()
                      for match in _ARITHMATEX.findall(path.read_text(encoding="utf-8"))]
    return pages


def markdown_formulas(markdown: str) -> int:
    """Formulas in a Markdown page, by arithmatex's delimiter rules (fences and code left out)."""
    text = re.sub(r"^( *)(`{3,}|~{3,}).*?^\1\2", "", markdown, flags=re.M | re.S)
    text = re.sub(r"(`+).+?\1", "", text)
    count = 0
    for pattern, flags in ((r"\$\$.+?\$\$", re.S), (r"\\\[.+?\\\]", re.S),
                           (r"\\\(.+?\\\)", re.S),
                           (r"(?<![\\$])\$(?=\S)(?:\\.|[^$\\\n])+?(?<=\S)\$", 0)):
        text, found = re.subn(pattern, " ", text, flags=flags)
        count += found
    return count


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def served(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on a free port of 127.0.0.1; yield the base URL."""
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def browser(chromium: str) -> Iterator[Any]:
    """A Playwright browser context on the given Chromium binary (no browser download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        try:
            yield instance.new_context(viewport={"width": 1280, "height": 960})
        finally:
            instance.close()


def check_page(context: Any, base: str, url: str, sources: list[str], *,
               shot: Shot | None = None,
               timeout_s: float = 60.0) -> PageReport:
    """Load one page, wait for MathJax, and report every formula and every network problem.

    ``shot``: (PNG path, id of the element to scroll to first, or "") for a screenshot.
    """
    report = PageReport(url=url, static=len(sources))
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and report.console.append(m.text))
    page.on("pageerror", lambda e: report.console.append(f"uncaught: {e}"))
    page.on("requestfailed", lambda r: report.failed.append(f"{r.url} ({r.failure})"))
    page.on("response", lambda r: r.status >= 400 and report.failed.append(
        f"{r.url} (HTTP {r.status})"))

    def only_local(route: Any) -> None:
        if route.request.url.startswith(base):
            route.continue_()
        else:
            report.failed.append(f"{route.request.url} (blocked: not local)")
            route.abort()

    page.route("**/*", only_local)
    start = time.monotonic()
    page.goto(base + url, wait_until="load", timeout=timeout_s * 1000)
    report.engine = page.evaluate(WAIT_JS, timeout_s * 1000)
    data = page.evaluate(COLLECT_JS)
    report.seconds = round(time.monotonic() - start, 2)
    if shot is not None:
        path, anchor = shot
        path.parent.mkdir(parents=True, exist_ok=True)
        if anchor:
            page.evaluate("(id) => document.getElementById(id).scrollIntoView()", anchor)
            page.wait_for_timeout(500)          # the header's title fades on scroll
        page.screenshot(path=str(path))
    page.close()
    formulas = data["formulas"]
    report.title = data["title"]
    report.found = len(formulas)
    report.rendered = sum(f["rendered"] for f in formulas)
    report.errors = [f for f in formulas if f["error"]]
    report.unrendered = [f for f in formulas if not f["rendered"]]
    # Markdown turning \\ into \ draws every row of an aligned block on one line, silently.
    report.lost_breaks = [tex for f, tex in zip(formulas, sources)
                          if "\\\\" in tex and f["rendered"] and f["rows"] < 2]
    report.leaks = data["leaks"]
    return report


def check_site(site: Path, chromium: str, *, shots: dict[str, Shot] | None = None,
               pages: list[str] | None = None) -> list[PageReport]:
    """Check every page (or the given URL paths) of a built site; screenshots where asked."""
    static = html_pages(site)
    wanted = pages if pages is not None else list(static)
    reports = []
    with served(site) as base, browser(chromium) as context:
        for url in wanted:
            reports.append(check_page(context, base, url, static.get(url, []),
                                      shot=(shots or {}).get(url)))
    return reports


OVERFLOW_JS = """() => Array.from(document.querySelectorAll('mjx-container[display="true"]'))
  .filter(el => el.getBoundingClientRect().width > el.parentElement.clientWidth + 1)
  .map(el => el.parentElement.textContent.slice(0, 80))"""


def page_layout(chromium: str, site: Path, url: str, *, width: int = 1280,
                timeout_s: float = 60.0) -> tuple[int, list[str]]:
    """(A4 pages when printed after MathJax, display formulas wider than their column)."""
    with served(site) as base, browser(chromium) as context:
        page = context.new_page()
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(base + url, wait_until="load", timeout=timeout_s * 1000)
        page.evaluate(WAIT_JS, timeout_s * 1000)
        overflowing = page.evaluate(OVERFLOW_JS)
        page.emulate_media(media="print")
        pdf = page.pdf(format="A4", print_background=False)
        page.close()
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf)), overflowing
