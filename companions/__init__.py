"""What ann.py uses beside the article, a module per job: data.py (the data read and checked, the
article's galaxies downloaded, files written whole), shapes.py (the shapes the article's
functions accept), figure.py (the figure's layout, its GIF, the mistakes figure), screens.py
(where the figures are shown), options.py (the command line), training.py (how a run trains and
ends, the fast path) and results.py (what trained weights are worth: --validation, the confusion
table, --mistakes, --weights, --sweep). ann.py is the lesson; these hold the machinery, and are
given ann.py's functions as arguments where they need them."""
