"""Scene checks: side/front/oblique view per frame, which way the lifter faces, people in view, lifter out of frame."""
