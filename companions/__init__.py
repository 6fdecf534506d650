"""What surrounds the lesson, a file per job; ann.py is the lesson.

Beside every run: data.py (the CSVs read and checked, the sets a run trains on, the arrays the
article's functions are given checked, files written whole), download.py (the article's
galaxies, --data tutorial), options.py (the command line), training.py (what a run trains, how
it stops, the fast path), figure.py (the figure's layout, its frames, --gif), screens.py (a
window, a notebook's cell, or nowhere) and finish.py (the end of a run: the confusion table,
--mistakes, the files, the window left open).

The modes beyond the article, each its own file: sweep.py (--sweep), weights.py
(--save-weights, --weights), breaking.py (--break, with the classic mistakes of catalogue.py
and the symptoms of diagnosis.py) and exercise.py (--exercise and python my_ann.py, with what a
wrong answer is told in advice.py). Each imports ann, the running ann.py, and calls its
functions by name. Beside ann.ipynb, the article cell by cell: guesses.py (the learner's
guesses, checked against the run and drawn on its figures).
"""
