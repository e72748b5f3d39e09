"""Who is in view: a pose fitted to a rack or a plate is no person."""

from __future__ import annotations

from squatlab.pose.people import Detection, choose_squatter, link_tracks, people_in_view


def detection(t: float, x: float, hip_height: float) -> Detection:
    return Detection(t, (x - 100, 200, x + 100, 900), (x, 500), hip_height)


def test_ghost_poses_with_the_hips_below_the_feet_are_not_people():
    samples = []
    for k in range(28):
        t = k / 3
        found = [detection(t, 200, 1.0 - 0.5 * (k % 6 == 3))]  # the lifter, squatting now and then
        if k % 5 == 0:  # a pose fitted to the rack's plates, mostly upside down
            found.append(detection(t, 620, -0.95 if k % 10 == 0 else 0.98))
        samples.append(found)
    people = people_in_view(link_tracks(samples), len(samples), min_fraction=0.15)
    assert len(people) == 1 and people[0].median_x == 200


def test_the_squatter_is_the_one_whose_plausible_hips_move_most():
    samples = [
        [detection(k / 3, 200, 1.0 - 0.5 * (k % 6 == 3)), detection(k / 3, 620, -1.0 if k % 2 else 1.0)]
        for k in range(30)
    ]
    people = people_in_view(link_tracks(samples), len(samples), min_fraction=0.15)
    # The flipping ghost is in view half the time but its flips are no motion of a body.
    assert len(people) == 2
    assert people[choose_squatter(people)].median_x == 200
