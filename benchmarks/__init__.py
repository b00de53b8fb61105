"""Speed and memory benchmarks: `python -m benchmarks NAME` (or `all`).

Each benchmark measures ordercore and a baseline in the same run, on the same machine, and
prints one line per figure followed by the ratios. Medians of several repeats are quoted,
because the machines are shared and noisy.
"""
