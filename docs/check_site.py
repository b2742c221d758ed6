"""Check the built site as a reader would: headless Chromium opens every page of docs/_build/html, served on 127.0.0.1.

Usage: python docs/check_site.py [--search TERM=PAGE ...] [--browser PATH] [--site DIR]
Fails (exit 1) when any page logs a console error or a JavaScript exception, a request fails or answers >= 400,
an image does not load, math is left untypeset, a `#|` directive, an `In [ ]:` prompt or a figure saved as
`<Figure ...>` text shows, a code cell has no copy button, an internal link points to a missing page or anchor, a page
is linked from no other page, or a search for TERM does not list PAGE (a notebook such as 01_model, or an .html name).
Saves a screenshot of the top of each page and of the whole page in docs/_screenshots/.
Needs Chromium (Debian: apt-get install chromium) and the `playwright` Python package (its driver only: no browser
download; we launch the system's Chromium).
"""
import argparse, functools, http.server, json, sys, tempfile, threading, time
from pathlib import Path
from urllib.parse import urlsplit, unquote

docs = Path(__file__).resolve().parent
FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync']
SEARCH = ['EmbeddingBag=01_model']  # a term from the model notebook, and the page it must find

def serve(site:Path):
    "A quiet static file server for `site` on 127.0.0.1, on a free port, in a daemon thread."
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a): pass
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f'http://127.0.0.1:{srv.server_address[1]}/'

# Runs in the page: everything we check about it, once it has loaded.
PAGE_JS = """async () => {
  const imgs = [...document.images];
  imgs.forEach(i => i.loading = 'eager');
  await Promise.all(imgs.map(i => i.decode().catch(() => null)));
  let mathOk = true;
  const math = document.querySelectorAll('span.math, div.math');
  if (math.length) {
    const t0 = Date.now();
    while (!(window.MathJax && MathJax.startup && MathJax.startup.promise) && Date.now() - t0 < 10000)
      await new Promise(r => setTimeout(r, 50));
    if (window.MathJax && MathJax.startup) await MathJax.startup.promise; else mathOk = false;
  }
  return {
    title: document.title,
    ids: [...document.querySelectorAll('[id]')].map(e => e.id),
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
    badImages: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.currentSrc || i.src),
    nImages: imgs.length,
    nMath: math.length,
    untypeset: mathOk ? [...math].filter(m => !m.querySelector('mjx-container') || m.querySelector('mjx-merror')).map(m => m.textContent.slice(0, 60)) : ['MathJax did not load'],
    visibleDirectives: [...document.querySelectorAll('.cell_input pre, .cell_output pre, article p')].map(e => e.textContent).filter(t => /^\\s*#\\|/m.test(t)).map(t => t.slice(0, 60)),
    prompts: [...document.querySelectorAll('article')].map(e => e.innerText).filter(t => /In \\[[ \\d]*\\]:/.test(t)).length,
    noCopy: [...document.querySelectorAll('div.cell_input div.highlight')].filter(d => !d.querySelector('button.copybtn')).length,
    lostFigures: [...document.querySelectorAll('.cell_output pre')].map(e => e.textContent).filter(t => /^<Figure size \\d+x\\d+ with \\d+ Axes>/m.test(t)).length,
  };
}"""

SEARCH_JS = """async () => {
  const t0 = Date.now();
  while (Date.now() - t0 < 15000) {
    const s = document.querySelector('#search-results p.search-summary, #search-results .search-summary');
    if (s && s.textContent.trim()) break;
    await new Promise(r => setTimeout(r, 100));
  }
  return [...document.querySelectorAll('#search-results ul.search li a')].map(a => a.href);
}"""

def pages_map() -> dict:
    "notebook name -> html page name, from the build's page list."
    f = docs/'_src'/'_pages.json'
    return {p['nb']: p['doc'] + '.html' for p in json.loads(f.read_text())} if f.exists() else {}

def check(site:Path, browser:str, searches:list[str], shots:Path) -> list[str]:
    from playwright.sync_api import sync_playwright
    errors, seen, ids, links = [], {}, {}, []
    html = sorted(p.relative_to(site).as_posix() for p in site.glob('*.html'))
    srv, base = serve(site)
    shots.mkdir(parents=True, exist_ok=True)
    for f in shots.glob('*.png'): f.unlink()
    with sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
        ctx = pw.chromium.launch_persistent_context(profile, executable_path=browser, headless=True, args=FLAGS,
                                                    viewport={'width': 1280, 'height': 900})
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        cur = {'page': None}
        def err(msg): errors.append(f"{cur['page']}: {msg}")
        page.on('console', lambda m: m.type == 'error' and err(f'console error: {m.text}'))
        page.on('pageerror', lambda e: err(f'JavaScript exception: {e}'))
        page.on('requestfailed', lambda r: err(f'request failed: {r.url} ({r.failure})'))
        page.on('response', lambda r: r.status >= 400 and err(f'HTTP {r.status}: {r.url}'))
        for name in html:
            cur['page'] = name
            t = time.perf_counter()
            page.goto(base + name, wait_until='load')
            r = page.evaluate(PAGE_JS)
            page.wait_for_load_state('networkidle')
            seen[name], ids[name] = r, set(r['ids'])
            links += [(name, l) for l in r['links']]
            for b in r['badImages']: err(f'image not loaded: {b}')
            for m in r['untypeset']: err(f'math not typeset: {m!r}')
            for d in r['visibleDirectives']: err(f'nbdev directive visible: {d!r}')
            if r['prompts']: err('an "In [ ]:" prompt is visible')
            if r['noCopy']: err(f"{r['noCopy']} code cell(s) without a copy button")
            if r['lostFigures']: err(f"{r['lostFigures']} figure(s) saved as '<Figure size ...>' text, not as an image: "
                                     "execute the notebook with Jupyter's inline backend (not MPLBACKEND=Agg)")
            stem = name[:-5]
            page.screenshot(path=shots/f'{stem}.png')
            page.screenshot(path=shots/f'{stem}-full.png', full_page=True)
            print(f"  {name:28} {time.perf_counter()-t:4.1f} s  {r['nImages']} images, {r['nMath']} math, {len(r['links'])} links  ({r['title']})")
        nb2html = pages_map()
        for s in searches:
            term, _, want = s.partition('=')
            want = want if want.endswith('.html') else nb2html.get(want if want.endswith('.ipynb') else want + '.ipynb', want)
            cur['page'] = f'search for {term!r}'
            page.goto(base + f'search.html?q={term}', wait_until='load')
            hits = [urlsplit(h).path.lstrip('/') for h in page.evaluate(SEARCH_JS)]
            page.screenshot(path=shots/f"search-{''.join(c for c in term if c.isalnum())}.png")
            print(f'  search {term!r}: {len(hits)} results: {", ".join(dict.fromkeys(hits))}')
            if want not in hits: err(f'{want} is not among the results ({", ".join(hits) or "none"})')
        ctx.close()
    srv.shutdown()
    cur['page'] = 'links'
    reached = {'index.html'}
    for frm, url in links:  # internal links: the page exists, and so does the anchor
        u = urlsplit(url)
        if not url.startswith(base): continue
        path = unquote(u.path.lstrip('/')) or 'index.html'
        if path.endswith('/'): path += 'index.html'
        if not (site/path).is_file(): err(f'{frm} links to {url}: no such file'); continue
        if path in ids:
            if path != frm: reached.add(path)
            if u.fragment and unquote(u.fragment) not in ids[path]: err(f'{frm} links to {path}#{u.fragment}: no such anchor')
    for p in sorted(set(html) - reached - {'genindex.html', 'search.html', 'py-modindex.html'}):
        err(f'{p} is not linked from any page')
    return list(dict.fromkeys(errors))

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--search', action='append', help=f'TERM=PAGE (default: {" ".join(SEARCH)})')
    ap.add_argument('--browser', default='/usr/bin/chromium')
    ap.add_argument('--site', type=Path, default=docs/'_build'/'html')
    ap.add_argument('--screenshots', type=Path, default=docs/'_screenshots')
    a = ap.parse_args()
    if not (a.site/'index.html').exists(): sys.exit(f'No site at {a.site}: build it first with python docs/build.py')
    t = time.perf_counter()
    print(f'checking {a.site} in {a.browser}')
    errors = check(a.site, a.browser, a.search or SEARCH, a.screenshots)
    print(f'screenshots in {a.screenshots}')
    if errors: sys.exit(f'FAIL: {len(errors)} problem(s) on the site:\n  ' + '\n  '.join(errors))
    print(f'site check OK in {time.perf_counter()-t:.1f} s: every page loads cleanly, images and math render, search works, no broken internal link')

if __name__ == '__main__': main()
