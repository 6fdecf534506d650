"""The confusion table ann.py prints at the end: true classes against predicted ones."""
import numpy as np


def confusion_table(y, prediction, names):
    """Rows: true class; columns: predicted class; as lines of text. names: one per class."""
    num_labels = len(names)
    width = max(len(n) for n in names) + 2
    counts = np.zeros((num_labels, num_labels), dtype=int)
    np.add.at(counts, (y, prediction), 1)
    lines = ["true \\ predicted".ljust(width + 6) + "".join(n.rjust(width) for n in names)]
    for k in range(num_labels):
        right = (f"{100 * counts[k, k] / counts[k].sum():5.1f}% right" if counts[k].sum()
                 else "    - (no example)")
        lines.append(names[k].ljust(width + 6) + "".join(f"{c:{width}d}" for c in counts[k])
                     + "   " + right)
    return lines
