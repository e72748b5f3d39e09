"""Pose estimation behind a small interface (BlazePose via MediaPipe by default)
and the choice of the person who squats."""
