"""Build the documentation site offline: nbdev processes the notebooks, we turn them into what myst-nb reads, Sphinx renders.

Usage: python docs/build.py [--clean] [--draft]
  nbs/*.ipynb --nbdev.serve.proc_nbs--> _proc/*.ipynb --this script--> docs/_src/*.ipynb --sphinx-build -W--> docs/_build/html
  nbs/explanations/x.ipynb becomes the page explanations_x, listed after the chapters under "Explanations".
--clean: forget the previous build (Sphinx's environment and nbdev's processed notebooks) and build everything again.
--draft: while a chapter is being written, a link to a notebook that does not exist yet becomes plain text (listed);
         without it (as in CI) such a link fails the build.
Nothing is executed: the site shows the outputs saved in the notebooks. Then check it as a reader would:
python docs/check_site.py
"""
import ast, inspect, importlib, json, os, posixpath, re, shutil, subprocess, sys, time
from pathlib import Path
import nbformat, yaml

docs = Path(__file__).resolve().parent
root = docs.parent
src, out = docs/'_src', docs/'_build'/'html'
os.chdir(root)  # nbdev finds settings.ini from the working directory
from nbdev.serve import proc_nbs  # hides `#| hide` cells, drops `#| export` ones and `default_exp`, adds show_doc cells

_re_nb = re.compile(r'^(\d+[a-z]?)_(\w+)\.ipynb$')
_re_link = re.compile(r'\[([^\]\n]*)\]\(([^)\s]+)\)')
_re_link2 = re.compile(r'\[\[([^\]\n]*)\]\([^)\s]+\)\]\(([^)\s]+)\)')  # nbdev links names inside a link the author wrote
_re_directive = re.compile(r'^\s*#\|\s*(.*?)\s*$')
_re_showdoc = re.compile(r'^show_doc\((\s*[\w.]+\s*)[,)]')
_re_code = re.compile(r'^`([^`]+)`$')
_widget_mimes = ('application/vnd.jupyter.widget-view+json', 'application/vnd.jupyter.widget-state+json')

def settings() -> dict:
    "The `[DEFAULT]` section of settings.ini, interpolated."
    from configparser import ConfigParser
    cp = ConfigParser(); cp.read(root/'settings.ini')
    return dict(cp['DEFAULT'])

_sections = {'explanations': 'Explanations'}  # folders of nbs/ whose notebooks are pages too: folder -> toctree caption

def notebooks() -> list[Path]:
    "index.ipynb, the numbered notebooks in file-name order (the order of the story), then each folder of `_sections`."
    nbs = sorted(p for p in (root/'nbs').glob('*.ipynb') if _re_nb.match(p.name))
    return [root/'nbs'/'index.ipynb'] + nbs + [p for d in _sections for p in sorted((root/'nbs'/d).glob('*.ipynb'))]

def front_matter(nb) -> dict:
    "Title, description, output-file from nbdev's front matter raw cell (removed from `nb`)."
    for c in nb.cells:
        if c.cell_type == 'raw' and c.source.lstrip().startswith('---'):
            nb.cells.remove(c)
            return yaml.safe_load(c.source.strip().strip('-')) or {}
    return {}

def default_exp(path:Path) -> str|None:
    "The module a notebook exports to (`#| default_exp`), from the unprocessed notebook."
    for c in nbformat.read(path, as_version=4).cells:
        m = re.search(r'^\s*#\|\s*default_exp\s+(\S+)', c.source, re.M) if c.cell_type == 'code' else None
        if m: return m.group(1)

# ---------------------------------------------------------------- API entries from show_doc cells
def _resolve(name:str, mod:str|None):
    "The object `name` (as written in `show_doc(name)`) in module `mod`, or None."
    if not mod: return None
    obj = importlib.import_module(mod)
    for part in name.split('.'):
        try: obj = inspect.getattr_static(obj, part) if inspect.isclass(obj) else getattr(obj, part)
        except AttributeError: return None
    return obj

def _is_clsmethod(obj) -> bool: return isinstance(obj, classmethod) or type(obj).__name__ == '_clsmethod'  # fastcore's @patch(cls_method=True)

def _func(obj):
    "The function behind a method, classmethod, staticmethod or property."
    if isinstance(obj, (classmethod, staticmethod)): return obj.__func__
    if _is_clsmethod(obj): return obj.f
    if isinstance(obj, property): return obj.fget
    return obj

def _src_defaults(obj) -> dict:
    "Default values as written in the source (`TUTORIAL_GROUPS`, not its value), where the source can be read."
    f = obj.__init__ if inspect.isclass(obj) and not hasattr(obj, '__dataclass_fields__') else obj
    try: tree = ast.parse(inspect.cleandoc('\n' + inspect.getsource(f)) if not inspect.isclass(f) else inspect.getsource(f).strip())
    except (OSError, TypeError, SyntaxError): return {}
    txt, node = ast.unparse, tree.body[0]
    if isinstance(node, ast.ClassDef):  # dataclass: `name: type = default` in the class body
        return {s.target.id: txt(s.value) for s in node.body if isinstance(s, ast.AnnAssign) and s.value is not None}
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)): return {}
    a = node.args
    pos = a.posonlyargs + a.args
    res = {p.arg: txt(d) for p, d in zip(pos[len(pos)-len(a.defaults):], a.defaults)}
    res.update({p.arg: txt(d) for p, d in zip(a.kwonlyargs, a.kw_defaults) if d is not None})
    return res

def _arglist(obj, drop_first:bool) -> str|None:
    "`(a: int, b: str = 'x') -> T` for Sphinx's signature parser; None when there is no signature to show."
    try: sig = inspect.signature(_func(obj))
    except (ValueError, TypeError): return None
    srcd, ps = _src_defaults(_func(obj)), list(sig.parameters.values())
    if drop_first and ps and ps[0].name in ('self', 'cls'): ps = ps[1:]
    parts, star = [], False
    for p in ps:
        if p.kind is p.KEYWORD_ONLY and not star: parts.append('*'); star = True
        s = {p.VAR_POSITIONAL: '*', p.VAR_KEYWORD: '**'}.get(p.kind, '') + p.name
        star = star or p.kind is p.VAR_POSITIONAL
        if p.annotation is not p.empty: s += ': ' + (p.annotation if isinstance(p.annotation, str) else inspect.formatannotation(p.annotation))
        if p.default is not p.empty:
            d = srcd.get(p.name) or (p.default.__name__ if callable(p.default) else repr(p.default))
            try: ast.parse(d, mode='eval')
            except SyntaxError: d = '...'
            s += ' = ' + d
        parts.append(s)
    ret = sig.return_annotation
    r = '' if ret is sig.empty or ret is None or ret == 'None' else ' -> ' + (ret if isinstance(ret, str) else inspect.formatannotation(ret))
    return f"({', '.join(parts)}){r}"

def _kind(name:str, obj, mod) -> tuple[str, list[str]]:
    "Sphinx python-domain directive and its flags for `obj`."
    if inspect.isclass(obj): return ('exception' if issubclass(obj, BaseException) else 'class'), []
    if '.' in name and inspect.isclass(_resolve(name.rsplit('.', 1)[0], mod)):
        if isinstance(obj, property): return 'property', []
        return 'method', [':classmethod:'] if _is_clsmethod(obj) else [':staticmethod:'] if isinstance(obj, staticmethod) else []
    return 'function', []

def _params(obj) -> list[str]:
    "`:param x: docment` and `:returns: docment` fields from the docments (fastcore's inline parameter comments)."
    from fastcore.docments import docments
    try: ds = docments(_func(obj), full=True)
    except Exception: return []
    res = [f':param {k}: {v["docment"]}' for k, v in ds.items() if k not in ('self', 'cls', 'return') and v.get('docment')]
    ret = ds.get('return', {}).get('docment')
    return res + ([f':returns: {ret}'] if ret else [])

def obj_module(obj, lib:str) -> str|None:
    "The module of ours that defines `obj`, or None."
    m = getattr(_func(obj), '__module__', None) if obj is not None else None
    return m if isinstance(m, str) and m.startswith(lib + '.') else None

def _doc(obj, name:str) -> str:
    "The object's own docstring: not one inherited from a base class, nor the signature a dataclass makes up."
    d = obj.__dict__.get('__doc__') if inspect.isclass(obj) else _func(obj).__doc__
    if not d or (inspect.isclass(obj) and d.startswith(obj.__name__ + '(')): return ''
    return inspect.cleandoc(d)

def api_entry(name:str, obj, ctx) -> str|None:
    "A MyST python-domain directive documenting `obj`, as nbdev's `show_doc` does; None if it is not ours."
    mod = obj_module(obj, ctx.lib)
    if mod is None: return None
    kind, flags = _kind(name, obj, mod)
    args = '' if kind == 'property' else _arglist(obj, drop_first=kind == 'method' and ':staticmethod:' not in flags)
    full = f'{mod}.{name}'
    opts = [f':module: {mod}'] + flags + ([':no-index:'] if full in ctx.seen else [])
    ctx.seen.add(full)
    doc = ctx.linkify_code(_doc(obj, name))
    body = '\n'.join(opts) + '\n\n' + doc + '\n\n' + '\n'.join(ctx.linkify_code(p) for p in _params(obj))
    anchor = name.lower()  # nbdev's anchor (`data.html#load_posts`), so links into the published site keep working
    html = f'<span id="{anchor}"></span>\n\n' if anchor not in ctx.page_ids else ''
    ctx.page_ids.add(anchor)
    return f"{html}```{{py:currentmodule}} {mod}\n```\n\n````{{py:{kind}}} {name}{args or ''}\n{body.strip()}\n````"

def nbdev_md(md:str) -> str:
    "nbdev's show_doc markdown, for objects we cannot introspect: no rule, no Quarto attributes, heading as bold text."
    md = re.sub(r'^---\s*$', '', md, flags=re.M)
    md = re.sub(r'\)\{[^}]*\}', ')', md)
    return re.sub(r'^#+\s+(.*)$', r'**\1**', md, flags=re.M).strip()

# ---------------------------------------------------------------- links
class Ctx:
    "What every page needs to know about the others: pages, documented objects, nbdev's link targets."
    def __init__(self, pages:list[dict], draft:bool=False):
        s = settings()
        self.lib, self.doc_base = s['lib_name'], s['doc_host'].rstrip('/') + '/' + s['doc_baseurl'].strip('/') + '/'
        self.nb2doc = {p['nb']: p['doc'] for p in pages}
        self.html2doc = {p['doc'] + '.html': p['doc'] for p in pages}
        modidx = importlib.import_module(f'{self.lib}._modidx').d['syms']
        self.syms = {v[0]: k for m in modidx.values() for k, v in m.items()}  # 'data.html#load_posts' -> 'newsclf.data.load_posts'
        self.documented, self.short, self.seen, self.page_ids = {}, {}, set(), set()
        self.problems, self.draft = [], draft

    def document(self, full:str, doc:str):
        self.documented.setdefault(full, doc)
        short = full.split('.', 2)[-1]  # newsclf.data.Vocab.fit -> Vocab.fit
        self.short[short] = full if self.short.get(short, full) == full else None  # ambiguous short names get no link

    def role(self, text:str, full:str) -> str:
        m = _re_code.match(text)
        return f'{{py:obj}}`{m.group(1) if m else text} <{full}>`'

    def link(self, m, where:str) -> str:
        text, url = m.group(1), m.group(2)
        if url.startswith(self.doc_base):  # nbdev's link into the published site
            rel = url[len(self.doc_base):]
            if rel in self.syms:  # an API anchor: link only to what the site documents (private helpers are not)
                full = self.syms[rel]
                return self.role(text, full) if full in self.documented else text
            page, _, frag = rel.partition('#')
            if page in ('', 'index.html'): page = 'index.html'
            if page not in self.html2doc:
                self.problems.append(f'{where}: link to {url}, which is no page of this site'); return m.group(0)
            return f'[{text}]({self.html2doc[page]}.ipynb{"#" + frag if frag else ""})'
        page, _, frag = url.partition('#')
        if page.endswith('.ipynb') and '://' not in page:  # relative to the linking notebook, as Jupyter and GitHub read it
            page = posixpath.normpath(posixpath.join(posixpath.dirname(where), page))
        if page in self.nb2doc:  # a link to another notebook: to its page (all pages sit side by side in docs/_src)
            return f'[{text}]({self.nb2doc[page]}.ipynb{"#" + frag if frag else ""})'
        if _re_nb.match(posixpath.basename(page)) or page.split('/')[0] in _sections:
            self.problems.append(f'{where}: link to {page}, which is not in nbs/')
            if self.draft: return text
        return m.group(0)

    def linkify_md(self, md:str, where:str) -> str:
        "Rewrite links outside fenced code blocks."
        parts = re.split(r'(^(?:```|~~~).*?^(?:```|~~~)[ \t]*$)', md, flags=re.M|re.S)
        return ''.join(p if i % 2 else _re_link.sub(lambda m: self.link(m, where), _re_link2.sub(r'[\1](\2)', p))
                       for i, p in enumerate(parts))

    def linkify_code(self, s:str) -> str:
        "`Name` of a documented object -> a link to it (as nbdev does in docstrings)."
        def f(m):
            full = self.short.get(m.group(1))
            return self.role(m.group(0), full) if full else m.group(0)
        return re.sub(r'(?<![`{\w])`([A-Za-z_][\w.]*)`(?!`)', f, s)

# ---------------------------------------------------------------- notebooks -> myst-nb notebooks
def _directives(src:str) -> tuple[dict, str]:
    "Quarto/nbdev `#| key: value` lines of a code cell, and its source without them."
    d, keep = {}, []
    for line in src.splitlines():
        m = _re_directive.match(line)
        if m:
            k, _, v = m.group(1).partition(':')
            d[k.strip()] = v.strip().strip('"\'')
        else: keep.append(line)
    return d, '\n'.join(keep).strip('\n')

def _clean_outputs(cell):
    "Drop widget outputs (a progress bar frozen at 0% is all a static page could show of them)."
    cell.outputs = [o for o in cell.get('outputs', []) if not any(k in o.get('data', {}) for k in _widget_mimes)]

def _heading_ids(nb) -> set:
    from docutils.nodes import make_id
    return {make_id(h) for c in nb.cells if c.cell_type == 'markdown' for h in re.findall(r'^#+\s+(.*)$', c.source, re.M)}

def show_doc_targets(nb, mod:str|None) -> list[tuple]:
    "`(cell, name, obj)` of each show_doc cell."
    res = []
    for c in nb.cells:
        if c.cell_type != 'code': continue
        m = _re_showdoc.match(_directives(c.source)[1])
        if m: name = m.group(1).strip(); res.append((c, name, _resolve(name, mod)))
    return res

def convert(nb, page:dict, ctx:Ctx, pages:list[dict]):
    "Turn one processed notebook into the notebook myst-nb renders."
    where, mod = page['nb'], page['mod']
    ctx.page_ids = _heading_ids(nb)
    docs_of = {id(c): (n, o) for c, n, o in show_doc_targets(nb, mod)}
    lead = f"\n\n```{{container}} lead\n{ctx.linkify_md(page['description'], where)}\n```" if page['description'] else ''
    cells = [nbformat.v4.new_markdown_cell(f"# {page['title']}{lead}")]
    for c in nb.cells:
        if c.cell_type == 'raw' or c.source.startswith('<!-- WARNING: THIS FILE WAS AUTOGENERATED'): continue
        if c.cell_type == 'markdown':
            c.source = ctx.linkify_md(c.source, where); cells.append(c); continue
        d, c.source = _directives(c.source)
        if d.get('include') == 'false': continue
        _clean_outputs(c)
        if id(c) in docs_of:
            name, obj = docs_of[id(c)]
            md = api_entry(name, obj, ctx)
            if md is None:  # not ours (or not importable): nbdev's own rendering
                md = '\n\n'.join(nbdev_md(''.join(o['data']['text/markdown'])) for o in c.outputs if 'text/markdown' in o.get('data', {}))
                md = ctx.linkify_md(md, where)
            cells.append(nbformat.v4.new_markdown_cell(md)); continue
        tags = set(c.metadata.get('tags', []))
        if d.get('echo') == 'false' or not c.source.strip(): tags.add('remove-input')
        if d.get('output') == 'false': tags.add('remove-output')
        if not c.source.strip() and not c.outputs: continue
        for o in c.outputs:
            if 'text/markdown' in o.get('data', {}):
                o['data']['text/markdown'] = ctx.linkify_md(''.join(o['data']['text/markdown']), where)
        c.metadata = {'tags': sorted(tags)} if tags else {}
        cells.append(c)
    if page['doc'] == 'index':  # the navigation: one page per numbered notebook, in notebook order, then each section's
        for section in [None, *_sections.values()]:
            toc = '\n'.join(f"{p['short']} <{p['doc']}>" for p in pages if p['doc'] != 'index' and p['section'] == section)
            caption = f':caption: {section}\n' if section else ''
            if toc: cells.append(nbformat.v4.new_markdown_cell(f'```{{toctree}}\n:hidden:\n{caption}:maxdepth: 2\n\n{toc}\n```'))
    nb.cells = cells
    nb.metadata = {'kernelspec': {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'},
                   'language_info': {'name': 'python', 'pygments_lexer': 'ipython3'}}
    return nb

def _short(title:str, stem:str) -> str:
    "Navigation label: the title before its colon ('Data: from posts to ...' -> 'Data')."
    return title.split(':')[0].strip() if ':' in title else stem.replace('_', ' ').capitalize()

def linkcode_urls(ctx:Ctx) -> dict:
    "GitHub URL, with line numbers, of the source of each documented object (for sphinx.ext.linkcode)."
    s, res = settings(), {}
    for full in ctx.documented:
        mod = '.'.join(full.split('.')[:2])
        obj = _func(_resolve(full[len(mod)+1:], mod))
        try: lines, start = inspect.getsourcelines(inspect.unwrap(obj))
        except (OSError, TypeError): continue
        pkg = Path(importlib.import_module(ctx.lib).__file__).resolve().parent
        path = Path(inspect.getsourcefile(inspect.unwrap(obj))).resolve().relative_to(pkg.parent).as_posix()
        res[full] = f"{s['git_url'].rstrip('/')}/blob/{s['branch']}/{path}#L{start}-L{start+len(lines)-1}"
    return res

def write(path:Path, text:str):
    "Write only what changed, so that Sphinx rebuilds only the pages that changed."
    if not path.exists() or path.read_text(encoding='utf-8') != text: path.write_text(text, encoding='utf-8')

def prepare(force:bool=False, draft:bool=False) -> list[dict]:
    "Process the notebooks with nbdev and write docs/_src; return the pages in navigation order."
    t = time.perf_counter()
    proc = proc_nbs(force=force, n_workers=0)  # in this process: twice as fast as spawning workers for a few notebooks
    print(f'nbdev processed the notebooks into {proc.relative_to(root)}/ in {time.perf_counter()-t:.1f} s')
    pages, nbs = [], {}
    for p in notebooks():
        rel = p.relative_to(root/'nbs')
        nb = nbformat.read(proc/rel, as_version=4)
        fm = front_matter(nb)
        doc = '_'.join(rel.parent.parts + (Path(fm.get('output-file', p.stem)).stem,)) if p.name != 'index.ipynb' else 'index'
        title = fm.get('title', p.stem)
        pages.append(dict(nb=rel.as_posix(), doc=doc, title=title, short=_short(title, p.stem),
                          section=_sections.get(rel.parent.as_posix()), mod=None if doc == 'index' else
                          (f"{settings()['lib_name']}.{default_exp(p)}" if default_exp(p) else None),
                          description=(fm.get('description') or '').strip()))
        nbs[rel.as_posix()] = nb
    ctx = Ctx(pages, draft)
    for pg in pages:  # first pass: what is documented where, so that links can point to it
        for _, name, obj in show_doc_targets(nbs[pg['nb']], pg['mod']):
            mod = obj_module(obj, ctx.lib)
            if mod: ctx.document(f'{mod}.{name}', pg['doc'])
    src.mkdir(parents=True, exist_ok=True)
    keep = {'_pages.json', '_linkcode.json'}
    for pg in pages:
        nb = convert(nbs[pg['nb']], pg, ctx, pages)
        write(src/f"{pg['doc']}.ipynb", nbformat.writes(nb)); keep.add(f"{pg['doc']}.ipynb")
    for f in (root/'nbs').rglob('*'):  # images and other files the notebooks refer to
        rel = f.relative_to(root/'nbs')
        if f.is_file() and f.suffix != '.ipynb' and not any(q.startswith(('.', '_')) for q in rel.parts):
            (src/rel).parent.mkdir(parents=True, exist_ok=True); shutil.copy2(f, src/rel); keep.add(rel.parts[0])
    for f in src.iterdir():
        if f.name not in keep: shutil.rmtree(f) if f.is_dir() else f.unlink()
    write(src/'_pages.json', json.dumps(pages, indent=1))
    write(src/'_linkcode.json', json.dumps(linkcode_urls(ctx), indent=1))
    ctx.problems = list(dict.fromkeys(ctx.problems))
    if ctx.problems and draft: print('--draft: these links are plain text for now:\n  ' + '\n  '.join(ctx.problems))
    elif ctx.problems: sys.exit('Broken links in the notebooks (python docs/build.py --draft turns them into text):\n  ' + '\n  '.join(ctx.problems))
    print(f'wrote {len(pages)} pages to {src.relative_to(root)}/ in {time.perf_counter()-t:.1f} s')
    return pages

def build(clean:bool=False, draft:bool=False):
    t = time.perf_counter()
    if clean: shutil.rmtree(docs/'_build', ignore_errors=True); shutil.rmtree(src, ignore_errors=True)
    prepare(force=clean, draft=draft)
    shutil.rmtree(out, ignore_errors=True)  # no page of a notebook since removed stays behind (Sphinx's cache is in doctrees)
    cmd = [sys.executable, '-m', 'sphinx', '-b', 'html', '-W', '--keep-going', '-n', '-q', '-j', 'auto',
           '-c', str(docs), '-d', str(docs/'_build'/'doctrees'), str(src), str(out)]
    r = subprocess.run(cmd, cwd=root)
    if r.returncode:
        pages = json.loads((src/'_pages.json').read_text())
        sys.exit(f'sphinx-build failed (exit {r.returncode}): see the warnings above. The pages come from: ' +
                 ', '.join(f"{src.relative_to(root)}/{p['doc']}.ipynb <- nbs/{p['nb']}" for p in pages))
    print(f'built {out.relative_to(root)}/index.html in {time.perf_counter()-t:.1f} s')

if __name__ == '__main__': build(clean='--clean' in sys.argv, draft='--draft' in sys.argv)
