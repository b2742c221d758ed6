"""Notebook helper, not part of newsclf: TensorFlow 1 for the `#| tf` cells, or a one-line note in their place.

A hidden cell runs `%run _tf1.py` (a magic, not an import: nbdev's doc build runs import cells, and must not need
TensorFlow). With TensorFlow installed (`pip install -e ".[tf]"`), `tf` is `tensorflow.compat.v1` in graph mode
(`disable_v2_behavior`; also bound to `tf1`) and `tf_config` a `ConfigProto` of 2 threads for a `tf.Session`.
Without it, `tf` is None and every later cell that carries `#| tf`, uses `tf`, or reads a name such a cell defined
prints `NOTE` instead of running (nbdev_test strips `#|` lines, so the names decide there).
Nothing in newsclf imports this file or TensorFlow.
"""
import ast, os

NOTE = "TensorFlow is not installed (pip install -e '.[tf]'): this TensorFlow 1 cell did not run."

def _names(tree:ast.AST) -> tuple[set, set]:
    "Names a cell reads and names it binds."
    read, bound = set(), set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Name): (read if isinstance(n.ctx, ast.Load) else bound).add(n.id)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)): bound.add(n.name)
        elif isinstance(n, ast.alias): bound.add((n.asname or n.name).split('.')[0])
        elif isinstance(n, ast.arg): bound.add(n.arg)
    return read, bound

class SkipTF:
    "IPython input transformer: a TensorFlow 1 cell becomes `print(NOTE)`; the names it binds mark later TF cells."
    always = {'tf', 'tf_config'}  # None without TensorFlow, whichever cell binds them
    def __init__(self): self.tainted = set(self.always)
    def __call__(self, lines:list[str]) -> list[str]:
        try: read, bound = _names(ast.parse(''.join(lines)))
        except SyntaxError: return lines  # IPython syntax (magics): never a TF cell
        if any(l.strip() == '#| tf' for l in lines) or (read - bound) & self.tainted:
            self.tainted |= bound
            return [f'print({NOTE!r})\n']
        self.tainted -= bound - self.always
        return lines

def _skip_tf_cells():
    try: from IPython import get_ipython
    except ImportError: return
    ip = get_ipython()
    if ip is None: return
    cleanup = ip.input_transformers_cleanup
    cleanup[:] = [t for t in cleanup if type(t).__name__ != 'SkipTF'] + [SkipTF()]  # once, even when rerun

def _tf1():
    os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')  # no C++ start-up logs
    os.environ.setdefault('TF_ENABLE_ONEDNN_OPTS', '0')  # Eigen kernels: the same sums in the same order every run
    import tensorflow.compat.v1 as tf
    tf.logging.set_verbosity(tf.logging.ERROR)  # no deprecation warnings for the TF1 API we use on purpose
    tf.disable_v2_behavior()
    return tf, tf.ConfigProto(intra_op_parallelism_threads=2, inter_op_parallelism_threads=1)

try: tf, tf_config = _tf1()
except ImportError:
    tf = tf_config = None
    _skip_tf_cells()
tf1 = tf
