"""Pure functions of arrays: gap filling, zero-lag filtering, joint angles,
pelvis tilt and lumbar flexion, the standing baseline."""
