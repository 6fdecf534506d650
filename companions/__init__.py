"""What ann.py uses beside the article: reading and checking data, writing files, the GIF, the
sweep, the window or notebook the figure is shown in, and the fast path. ann.py is the lesson;
these files hold the machinery, each named for what it holds."""
