"""squatlab: what the pelvis and the low back do during a squat.

It measures pelvis tilt and lumbar flexion per rep, from a side-view phone video,
wearable IMUs or lab motion capture, and explains what it measured. It does not diagnose.
"""

__version__ = "0.1.0"
