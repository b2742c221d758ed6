#!/usr/bin/env python
"""Run notebooks top to bottom in a fresh Jupyter kernel each, as JupyterLab's Run All does (`#| slow` cells included),
and print a table of wall times. `--save` writes the new outputs back (then run `nbdev_clean`).

    python .ci/nb_times.py                      # every chapter: nbs/index.ipynb and nbs/NN*_name.ipynb
    python .ci/nb_times.py --all --skip-slow -j 2   # every notebook (home, book, guides, library, explanations), 2 at a time
    python .ci/nb_times.py nbs/02_train.ipynb   # some notebooks
    python .ci/nb_times.py --skip-slow --save nbs/library/corpus.ipynb  # `#| slow` cells keep their saved outputs

A notebook fails when a cell raises, and when it leaves anything in the temp folder: each kernel gets a temp folder of
its own (TMPDIR, which `tempfile.gettempdir()` and the notebook's subprocesses read), and whatever is left in it at the
end is listed (PyTorch's compile cache aside) and removed. Exit status 1 when any notebook failed.
"""
import argparse, os, re, shutil, sys, tempfile, time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
import nbformat
from nbclient import NotebookClient

root = Path(__file__).resolve().parent.parent
FOLDERS = ('guides', 'library', 'explanations')  # the folders of nbs/ whose notebooks --all adds
CACHES = ('torchinductor_',)  # what tools keep in the temp folder on purpose (PyTorch's compile cache), not a notebook's

def chapters() -> list[Path]:
    "index.ipynb and the numbered chapters, in file-name order."
    return [root/'nbs'/'index.ipynb'] + sorted(p for p in (root/'nbs').glob('*.ipynb') if re.match(r'\d+[a-z]?_', p.name))

def all_notebooks() -> list[Path]:
    "Every notebook of the site: the home page, the book, then the guides, the library and the explanations."
    return chapters() + [p for d in FOLDERS for p in sorted((root/'nbs'/d).glob('*.ipynb'))]

_re_slow = re.compile(r'^\s*#\|\s*slow\s*$', re.M)

def _skipping_slow(nb) -> dict:
    "Empty the `#| slow` cells of `nb`; what to put back: cell index -> (source, outputs)."
    kept = {}
    for i, c in enumerate(nb.cells):
        if c.cell_type == 'code' and _re_slow.search(c.source): kept[i] = (c.source, c.outputs); c.source = ''
    return kept

def _left(tmp:str) -> str:
    "What a notebook left in its temp folder, for the table: `name, name (+N more)`, or ''."
    names = sorted(n for n in os.listdir(tmp) if not n.startswith(CACHES))
    return ', '.join(names[:3]) + (f' (+{len(names) - 3} more)' if len(names) > 3 else '')

def run(path:Path, save:bool=False, timeout:int=1800, skip_slow:bool=False) -> tuple[float, str]:
    "Execute `path` in a fresh kernel from its folder, with a temp folder of its own: wall seconds and 'ok' or why not."
    nb = nbformat.read(path, as_version=4)
    kept = _skipping_slow(nb) if skip_slow else {}
    tmp = tempfile.mkdtemp(prefix=f'nb_times-{path.stem}-')
    env = {**os.environ, 'TMPDIR': tmp, 'TEMP': tmp, 'TMP': tmp}
    t0 = time.perf_counter()
    try:
        NotebookClient(nb, timeout=timeout, kernel_name='python3', resources={'metadata': {'path': str(path.parent)}}).execute(env=env)
        status = f'FAILED: left in the temp folder: {_left(tmp)}' if _left(tmp) else 'ok'
    except Exception as e: status = 'FAILED: ' + re.sub(r'\x1b\[[0-9;]*m', '', (str(e).strip().splitlines() or [type(e).__name__])[-1])[:100]
    finally: shutil.rmtree(tmp, ignore_errors=True)
    wall = time.perf_counter() - t0
    for i, (source, outputs) in kept.items(): nb.cells[i].source, nb.cells[i].outputs = source, outputs
    if save and status == 'ok': nbformat.write(nb, path)
    return wall, status

def _run_one(args) -> tuple[str, float, str]:
    p, save, skip_slow = args
    wall, status = run(p, save, skip_slow=skip_slow)
    name = p.relative_to(root).as_posix() if p.is_relative_to(root) else str(p)
    print(f"{name:40} {wall:7.1f} s  {status}", flush=True)
    return name, wall, status

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('notebooks', nargs='*', type=Path, help='notebooks to run (default: every chapter)')
    ap.add_argument('--all', action='store_true', help='every notebook: the home page, the book, guides, library and explanations')
    ap.add_argument('--save', action='store_true', help='write the executed outputs back into each notebook that ran without error')
    ap.add_argument('--skip-slow', action='store_true', help="don't run `#| slow` cells; they keep their saved outputs")
    ap.add_argument('-j', '--jobs', type=int, default=1, help='notebooks run at a time, each in its own kernel (default 1)')
    args = ap.parse_args()
    nbs = [p.resolve() for p in args.notebooks] or (all_notebooks() if args.all else chapters())
    t0, jobs = time.perf_counter(), [(p, args.save, args.skip_slow) for p in nbs]
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as ex: rows = list(ex.map(_run_one, jobs))
    else: rows = [_run_one(j) for j in jobs]
    print(f"\n| notebook | Run All, s | |\n|---|---:|---|")
    for name, wall, status in rows: print(f"| {name} | {wall:.1f} | {status} |")
    failed = [name for name, _, s in rows if s != 'ok']
    print(f"\n{len(rows)} notebooks in {time.perf_counter() - t0:.0f} s ({args.jobs} at a time): "
          + (f"{len(failed)} FAILED: {', '.join(failed)}" if failed else 'all ran without error'))
    sys.exit(bool(failed))
