#!/usr/bin/env python
"""Run notebooks top to bottom in a fresh Jupyter kernel each, as JupyterLab's Run All does (`#| slow` cells included),
one after the other, and print a table of wall times. `--save` writes the new outputs back (then run `nbdev_clean`).

    python .ci/nb_times.py                      # every chapter: nbs/index.ipynb and nbs/NN*_name.ipynb
    python .ci/nb_times.py nbs/02_train.ipynb   # some notebooks
    python .ci/nb_times.py --skip-slow --save nbs/library/corpus.ipynb  # `#| slow` cells keep their saved outputs
"""
import argparse, re, sys, time
from pathlib import Path
import nbformat
from nbclient import NotebookClient

root = Path(__file__).resolve().parent.parent

def chapters() -> list[Path]:
    "index.ipynb and the numbered chapters, in file-name order."
    return [root/'nbs'/'index.ipynb'] + sorted(p for p in (root/'nbs').glob('*.ipynb') if re.match(r'\d+[a-z]?_', p.name))

_re_slow = re.compile(r'^\s*#\|\s*slow\s*$', re.M)

def _skipping_slow(nb) -> dict:
    "Empty the `#| slow` cells of `nb`; what to put back: cell index -> (source, outputs)."
    kept = {}
    for i, c in enumerate(nb.cells):
        if c.cell_type == 'code' and _re_slow.search(c.source): kept[i] = (c.source, c.outputs); c.source = ''
    return kept

def run(path:Path, save:bool=False, timeout:int=1800, skip_slow:bool=False) -> tuple[float, str]:
    "Execute `path` in a fresh kernel from its folder: wall seconds and 'ok' or the error's last line."
    nb = nbformat.read(path, as_version=4)
    kept = _skipping_slow(nb) if skip_slow else {}
    t0 = time.perf_counter()
    try: NotebookClient(nb, timeout=timeout, kernel_name='python3', resources={'metadata': {'path': str(path.parent)}}).execute(); status = 'ok'
    except Exception as e: status = 'FAILED: ' + re.sub(r'\x1b\[[0-9;]*m', '', (str(e).strip().splitlines() or [type(e).__name__])[-1])[:100]
    wall = time.perf_counter() - t0
    for i, (source, outputs) in kept.items(): nb.cells[i].source, nb.cells[i].outputs = source, outputs
    if save and status == 'ok': nbformat.write(nb, path)
    return wall, status

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('notebooks', nargs='*', type=Path, help='notebooks to run (default: every chapter)')
    ap.add_argument('--save', action='store_true', help='write the executed outputs back into each notebook that ran without error')
    ap.add_argument('--skip-slow', action='store_true', help="don't run `#| slow` cells; they keep their saved outputs")
    args = ap.parse_args()
    nbs = [p.resolve() for p in args.notebooks] or chapters()
    rows = []
    for p in nbs:
        wall, status = run(p, args.save, skip_slow=args.skip_slow)
        rows.append((p.relative_to(root).as_posix(), wall, status)); print(f"{rows[-1][0]:40} {wall:7.1f} s  {status}", flush=True)
    print(f"\n| notebook | Run All, s | |\n|---|---:|---|")
    for name, wall, status in rows: print(f"| {name} | {wall:.1f} | {status} |")
    sys.exit(any(s != 'ok' for *_, s in rows))
