"""What a run of ann.py printed, read back as numbers: the tests and benchmarks/kernels.py read
whole runs with summary()."""
import re


def summary(stdout):
    """The numbers a run printed: per iteration from the first, the lists Jtrain, train_acc,
    Jtest, test_acc and J_chosen (the costs of the set that chose: validation or test); the last
    iteration's figures (final_...); the kept iteration, its cost `lowest`, the set that chose
    it and the kept weights' accuracies (kept_...); how far the choosing cost rose after its
    lowest point, and whether that point fell in the run's last tenth."""
    rows = re.findall(r"^iter=\s*\d+:  Jtrain= (\S+) acc= \s*(\S+)%  \|  (?:Jval= (\S+) acc= "
                      r"\s*\S+%  \|  )?Jtest= (\S+) acc= \s*(\S+)%", stdout, re.M)
    kept = re.search(r"kept the weights of iteration (\d+), which had the lowest (\w+) cost, "
                     r"(\d+\.\d+)", stdout)
    accuracy = dict(re.findall(r"(\w+) accuracy (\d+\.\d)%", stdout))
    Jtrain, train_acc, Jval, Jtest, test_acc = (
        [float(v) for v in column if v] for column in zip(*rows))
    kept_at, lowest = int(kept.group(1)), float(kept.group(3))
    J_chosen = Jval or Jtest
    return dict(Jtrain=Jtrain, train_acc=train_acc, Jtest=Jtest, test_acc=test_acc,
                J_chosen=J_chosen, iterations=len(rows), kept=kept_at, lowest=lowest,
                chosen_by=kept.group(2), kept_train=float(accuracy["train"]),
                kept_test=float(accuracy["test"]), final_Jtrain=Jtrain[-1],
                final_train=train_acc[-1], final_Jtest=Jtest[-1], final_test=test_acc[-1],
                rise=round(J_chosen[-1] - lowest, 4), in_last_tenth=kept_at > 0.9 * len(rows))
