"""ann.py's command line: its options, each bad value or clash refused in one line, before data.

The options default to ann.py's parameter block; argument types refuse a bad value with a
message argparse prints as a usage error, naming the option, before any data is read."""
import argparse
import difflib
import math
import os
import sys


def number(kind, text):
    """text as an int or a float (kind), or an error that names what was expected."""
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{'a whole number' if kind is int else 'a number'} "
                                         f"is expected, not {text!r}") from None


def positive_int(text):
    value = number(int, text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def hidden_units(text):
    value = positive_int(text)
    if value > 4096:                      # Theta1 alone would pass 30 MB: not this network
        raise argparse.ArgumentTypeError(f"must be at most 4096, not {value}")
    return value


def seed_value(text):
    value = number(int, text)
    if not 0 <= value < 2 ** 32:
        raise argparse.ArgumentTypeError(f"must be a whole number from 0 to 2**32 - 1, not {value}")
    return value


def non_negative_float(text):
    value = number(float, text)
    if not (value >= 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"must be a finite number 0 or more, not {text}")
    return value


def fraction(text):
    value = number(float, text)
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be a fraction between 0 and 1, not {text}")
    return value


def lambda_value(text):
    value = non_negative_float(text)
    if value > 1e6:                       # beyond it the penalty swamps the cost's digits
        raise argparse.ArgumentTypeError(f"must be at most 1e6, not {text}")
    return value


def output_path(extensions):
    """An argparse type: a path to write, in a folder that exists, with one of `extensions`
    (None: any format matplotlib can save)."""
    def check(text):
        folder = os.path.dirname(os.path.abspath(text))
        if not os.path.isdir(folder):
            raise argparse.ArgumentTypeError(f"folder {os.path.dirname(text)!r} does not exist")
        if not os.access(folder, os.W_OK):
            raise argparse.ArgumentTypeError(f"folder {folder!r} is not writable")
        if os.path.isdir(text):
            raise argparse.ArgumentTypeError(f"{text!r} is a folder; give a file name in it")
        suffix = os.path.splitext(text)[1].lower()
        allowed = extensions
        if allowed is None:
            from matplotlib.backend_bases import FigureCanvasBase
            allowed = ["." + e for e in FigureCanvasBase.get_supported_filetypes()]
        if suffix not in allowed:
            raise argparse.ArgumentTypeError(f"{text!r} should end in " + (
                allowed[0] if len(allowed) == 1 else f"one of {', '.join(sorted(allowed))}"))
        return text
    check.__name__ = "path"
    return check


def number_list(kind):
    def parse(text):
        values = [kind(v) for v in text.split(",") if v.strip()]
        if not values:
            raise argparse.ArgumentTypeError("give a comma-separated list")
        return values
    parse.__name__ = "list"
    return parse


class Parser(argparse.ArgumentParser):
    """argparse's parser, suggesting the option meant where one is misspelled."""

    def error(self, message):
        if message.startswith("unrecognized arguments: "):
            known = [option for action in self._actions for option in action.option_strings]
            for word in message.split(": ", 1)[1].split():
                close = difflib.get_close_matches(word.split("=")[0], known, n=1)
                if close:
                    message += f" (did you mean {close[0]}?)"
                    break
        super().error(message)

    def refuse(self, message):
        """One line and exit status 2, as for a bad value, without the usage."""
        self.exit(2, f"{self.prog}: error: {message}\n")

    def refuse_given(self, args, names, saying):
        """Refuse in one line the options among `names` that args gives, if any: "{saying}:
        leave out --a and --b"."""
        given = [f"--{name.replace('_', '-')}" for name in names if getattr(args, name)]
        if given:
            self.refuse(f"{saying}: leave out {' and '.join(given)}")


def parse_args(argv, learner=None):
    """ann.py's options, defaulting to its parameter block (SEED, HIDDEN_LAYER_SIZE, LMBDA,
    MAXITER, and the train and test CSVs); learner: the path of the exercise's file when it
    runs them (the options that are ann.py's own are refused there). Options that clash are
    refused in one line; args.prog is the program's name for messages."""
    import ann
    check_backend()
    parser = Parser(
        prog=os.path.basename(learner) if learner else "ann.py",
        description="Train a three-layer neural network, written from scratch with numpy, to "
                    "classify galaxy images as Elliptical, Spiral or Irregular, and watch it "
                    "learn. With no options: the article's run on the project's galaxies.")
    add_data_and_network(parser.add_argument_group("data and network"),
                         ann.SEED, ann.HIDDEN_LAYER_SIZE, ann.LMBDA, ann.MAXITER)
    add_figure_and_files(parser.add_argument_group("figure and files"))
    add_beyond_the_article(parser.add_argument_group("beyond the article"))
    args = parser.parse_args(argv)
    args.prog = parser.prog
    refuse_clashes(parser, args, learner)
    args.train, args.test = args.train or ann.TRAIN_CSV, args.test or ann.TEST_CSV
    if args.maxiter is None:
        args.maxiter = 300 if args.sweep else ann.MAXITER
    settle_outputs(parser, args)
    return args


def check_backend():
    """A bad MPLBACKEND, which stops matplotlib's import, refused in one line."""
    try:
        import matplotlib  # noqa: F401
    except ValueError:
        print(f"ann.py: error: MPLBACKEND={os.environ.get('MPLBACKEND')!r} is not a backend "
              "matplotlib knows (for example agg, tkagg or qtagg)", file=sys.stderr)
        sys.exit(2)


def add_data_and_network(data, seed, hidden, lmbda, maxiter):
    """The data and the network's settings, defaulting to ann.py's parameter block."""
    data.add_argument("--data", choices=("project", "tutorial"), default="project",
                      help="project: the project's own galaxies (train.csv and test.csv next "
                           "to ann.py, the default); tutorial: the article's Galaxy Zoo images, "
                           "downloaded into tutorial_data/ the first time")
    data.add_argument("--train", metavar="CSV",
                      help="training set (default: train.csv next to ann.py)")
    data.add_argument("--test", metavar="CSV",
                      help="test set (default: test.csv next to ann.py)")
    data.add_argument("--hidden", type=hidden_units, default=hidden, metavar="N",
                      help=f"units in the hidden layer (default {hidden})")
    data.add_argument("--lmbda", type=lambda_value, default=lmbda, metavar="L",
                      help=f"regularization strength lambda (default {lmbda:g})")
    data.add_argument("--maxiter", type=positive_int, default=None, metavar="N",
                      help=f"iterations of fmin_cg (default {maxiter}; 300 with --sweep)")
    data.add_argument("--seed", type=seed_value, default=seed, metavar="N",
                      help=f"random seed of the initial weights (default {seed})")
    data.add_argument("--vectorized", action="store_true",
                      help="the fast path: the vectorized gradient (backpropagate, as "
                           "gradient_vectorized), one forward pass per weight vector")


def add_figure_and_files(out):
    """The live figure and the files a run writes."""
    out.add_argument("--no-plot", action="store_true",
                     help="no live figure: just print the progress (the final figure is "
                          "still saved)")
    out.add_argument("--close-when-done", action="store_true",
                     help="close the window when training ends (default: keep it open)")
    out.add_argument("--save", type=output_path(None), default=None, metavar="PATH",
                     help="where to save the final figure (default ann.png; sweep.png with "
                          "--sweep)")
    out.add_argument("--gif", type=output_path([".gif"]), metavar="PATH",
                     help="also write an animated GIF of the training (about 120 frames "
                          "for a run of --maxiter iterations)")
    out.add_argument("--save-weights", type=output_path([".npz"]), metavar="PATH",
                     help="save the kept weights and their settings to an .npz file")


def add_beyond_the_article(more):
    """Saved weights, the gradient check, validation, mistakes, the sweep, the exercise and
    --break."""
    more.add_argument("--weights", metavar="NPZ",
                      help="skip training: evaluate weights saved by --save-weights on the "
                           "test set")
    more.add_argument("--check-gradients", action="store_true",
                      help="check backpropagation against finite differences on a small "
                           "network, then exit (status 1 if the check fails)")
    more.add_argument("--validation", type=fraction, metavar="FRACTION",
                      help="carve a validation set from the training set (e.g. 0.2: a fifth of "
                           "each class, the same for the same --seed), train on the rest, and "
                           "keep the weights with the lowest validation cost: the test set "
                           "does not choose them")
    more.add_argument("--mistakes", type=output_path(None), metavar="PATH",
                      help="after training, a figure of the test galaxies the kept weights get "
                           "most wrong (highest cost first, up to 18), saved to PATH and shown "
                           "where the run shows its figure")
    more.add_argument("--sweep", action="store_true",
                      help="train one network per hidden size and lambda (vectorized) and save "
                           "a heat map of their test accuracies")
    more.add_argument("--sweep-hidden", type=number_list(hidden_units), default=[4, 8, 16, 32],
                      metavar="N,N,...", help="hidden sizes for --sweep (default 4,8,16,32)")
    more.add_argument("--sweep-lmbda", type=number_list(lambda_value),
                      default=[0.1, 1.0, 10.0], metavar="L,L,...",
                      help="lambdas for --sweep (default 0.1,1,10)")
    more.add_argument("--exercise", type=output_path([".py"]), metavar="PATH",
                      help="write PATH (my_ann.py, say): the article's six functions for you to "
                           "write; then python PATH checks them, says what is wrong, and once "
                           "all are right trains your network as ann.py trains its own")
    more.add_argument("--break", nargs="?", const="", dest="break_mistake", metavar="NAME",
                      help="train ann.py's network with the classic mistake NAME made in it, "
                           "ann.py's own run faint behind, and be told what happened and why; "
                           "--break alone lists them, --break random hides which until the end")
    more.add_argument("--traceback", action="store_true",
                      help="with python my_ann.py: the whole traceback when one of your "
                           "functions raises an error")


def refuse_clashes(parser, args, learner):
    """Options that cannot go together refused in one line: each mode's own (--break's, ann.py's
    own in a learner's file, what --sweep or --weights leave no room for), and --data tutorial
    with files of one's own."""
    from companions import breaking, exercise, sweep, weights
    if args.break_mistake is not None:
        breaking.check_options(parser, args, learner)
    exercise.check_options(parser, args, learner)
    if args.data == "tutorial" and (args.train or args.test):
        parser.refuse("--data tutorial trains on the article's files; give either it or "
                      "--train/--test, not both")
    sweep.check_options(parser, args)
    weights.check_options(parser, args)


def settle_outputs(parser, args):
    """args.save's default (sweep.png with --sweep, else ann.png), then two outputs that would
    write one file refused in one line: one of them would be lost."""
    default_save = args.save is None
    if default_save:
        args.save = "sweep.png" if args.sweep else "ann.png"
    outputs = [(f"--{name.replace('_', '-')}", getattr(args, name))
               for name in ("save", "gif", "mistakes", "save_weights") if getattr(args, name)]
    if default_save:
        outputs[0] = ("--save (its default)", args.save)
    where = lambda path: os.path.normcase(os.path.realpath(path))   # noqa: E731
    for i, (option, path) in enumerate(outputs):
        for earlier, other in outputs[:i]:
            if where(other) == where(path):
                parser.refuse(f"{earlier} and {option} would both write {path}: give each its "
                              "own file")
