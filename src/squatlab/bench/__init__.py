"""Benchmarks and model fitting on rendered squats with known pelvis and lumbar angles.

``python -m squatlab.bench.loo`` scores the video pipeline on the leave-one-out grid,
never on a body, clothing or movement pattern the model was fitted on;
``python -m squatlab.bench.train`` refits the outline model;
``python -m squatlab.bench.accuracy`` scores the shipped model on any folder of rendered
clips; ``python -m squatlab.bench.real_clips`` plots and tabulates the real clips.
"""
