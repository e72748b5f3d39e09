"""Ground-truth squat clips: a posed body model rendered from the side, with its truth per frame.

``motion`` (NumPy only) sets pelvis tilt and lumbar flexion per frame and solves the rest
of the body; ``truth`` turns a motion into the truth table. ``body``, ``clothing``,
``scene`` and ``render`` need the ``synth`` extra (torch, anny, pyrender) and draw the
clip; ``grid`` lists the benchmark's clips; ``check`` runs BlazePose on a rendered clip.
Nothing here imports torch or pyrender until a clip is rendered.
"""
