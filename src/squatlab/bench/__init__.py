"""Benchmarks and model fitting on rendered squats with known pelvis and lumbar angles.

``python -m squatlab.bench.accuracy`` prints the accuracy of the video pipeline against
the renderer's truth; ``python -m squatlab.bench.train`` refits the outline model.
"""
