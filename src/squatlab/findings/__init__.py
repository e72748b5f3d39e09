"""Turning curves into findings: butt wink, over-arching, likely cause, safe depth.

:func:`assess` is the stage; :func:`stance_from_front` reads the stance from a front view.
The comparison of two results lives in :mod:`squatlab.findings.compare` (it needs
matplotlib, so it is not imported here).
"""

from squatlab.findings.assess import assess
from squatlab.findings.stance import stance_from_front

__all__ = ["assess", "stance_from_front"]
