"""What ann.py uses beside the article, a file per job: data.py (reading the data, --validation's
split, writing files), tutorial_data.py (the download), figure.py (the figure's layout, its GIF,
the mistakes figure), display.py (where the figures are shown), options.py (the command line)
and extras.py (the fast path, ending training, the confusion table, --mistakes, --weights,
--sweep). ann.py is the lesson; these hold the machinery, and are given ann.py's functions as
arguments where they need them."""
