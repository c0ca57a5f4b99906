"""Benchmarks: TellOnce side by side with a stock `rasa init` assistant, as ratios."""
