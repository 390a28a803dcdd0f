"""A parallel rebuild's groups: every projection in exactly one, about equal in weight, and a
projection a process of its own could not build by name staged in the caller's group."""

from projections.catalog import all_projections
from projections.fold import Fold
from projections.staged_rebuild import _groups


class NotInTheCatalogue(Fold):
    name = "made_for_a_test"
    rebuild_weight = 1


def test_every_projection_lands_in_one_group_of_about_equal_weight() -> None:
    projections = all_projections()
    groups = _groups(projections, 2)
    assert sorted(p.name for g in groups for p in g) == sorted(p.name for p in projections)
    weights = [sum(p.rebuild_weight for p in g) for g in groups]
    assert len(groups) == 2 and max(weights) - min(weights) <= max(
        p.rebuild_weight for p in projections)


def test_a_projection_outside_the_catalogue_stays_in_the_callers_group() -> None:
    stranger = NotInTheCatalogue()
    for count in (1, 2, 4):
        assert stranger in _groups([*all_projections(), stranger], count)[0]


def test_no_empty_group_is_sent_to_a_process() -> None:
    one = all_projections()[:1]
    assert _groups(one, 4) == [one]
