"""What ann.py uses beside the article, a file per job: data.py (reading the data, writing files),
tutorial_data.py (the download), figure.py (the figure's layout and its GIF), display.py (where
the figure is shown), options.py (the command line) and extras.py (the fast path, ending
training, the confusion table, --weights, --sweep). ann.py is the lesson; these hold the
machinery, and are given ann.py's functions as arguments where they need them."""
