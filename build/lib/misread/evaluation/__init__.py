"""Metrics, baselines, evaluations and benchmarks."""
