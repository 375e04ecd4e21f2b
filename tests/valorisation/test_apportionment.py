"""The largest-remainder apportionment: exact sums, deterministic ties, and which
monotonicity holds (one région's births grow) and which does not (Alabama paradox)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tpj.valorisation.apportionment import ApportionmentError, largest_remainder

CODES = ["01", "02", "03", "04", "06", "11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94"]

births_tables = st.lists(st.integers(min_value=0, max_value=200_000), min_size=len(CODES), max_size=len(CODES)).map(
    lambda counts: dict(zip(CODES, counts if sum(counts) else [1, *counts[1:]], strict=True))  # at least one birth
)
totals = st.integers(min_value=1, max_value=1000)


def seats(births, total):
    return {share.code: share.seats for share in largest_remainder(births, total)}


@settings(max_examples=300, deadline=None)
@given(births_tables, totals)
def test_whole_posts_sum_exactly_to_the_total(births, total):
    allocation = seats(births, total)
    assert sum(allocation.values()) == total
    assert all(isinstance(n, int) and n >= 0 for n in allocation.values())


@settings(max_examples=300, deadline=None)
@given(births_tables, totals)
def test_each_region_gets_its_quota_rounded_down_or_up(births, total):
    # Quota rule: every région receives floor(quota) or floor(quota) + 1 posts.
    for share in largest_remainder(births, total):
        assert share.whole <= share.quota < share.whole + 1
        assert share.seats in (share.whole, share.whole + 1)


@settings(max_examples=300, deadline=None)
@given(births_tables, totals, st.randoms(use_true_random=False))
def test_result_does_not_depend_on_the_order_of_rows(births, total, rnd):
    items = list(births.items())
    rnd.shuffle(items)
    assert seats(dict(items), total) == seats(births, total)


@settings(max_examples=500, deadline=None)
@given(births_tables, totals, st.sampled_from(CODES), st.integers(min_value=1, max_value=100_000))
def test_a_region_whose_births_grow_never_loses_a_post(births, total, code, growth):
    # Others fixed: the région's quota rises and every other quota shrinks, so it keeps its rank.
    grown = {**births, code: births[code] + growth}
    assert seats(grown, total)[code] >= seats(births, total)[code]


def test_alabama_paradox_exists_one_more_post_can_cost_a_region_a_post():
    # Hamilton is not house-monotone (documented on the page): the classic example.
    births = {"A": 6, "B": 6, "C": 2}
    assert seats(births, 10)["C"] == 2
    assert seats(births, 11)["C"] == 1


def test_ties_go_to_more_births_then_smaller_code():
    # Equal remainders (1/2 each): the région with more births wins the leftover post.
    assert seats({"53": 1, "76": 3}, 1) == {"53": 0, "76": 1}
    assert seats({"53": 1, "76": 1}, 1) == {"53": 1, "76": 0}  # same births: smaller code
    assert seats({"76": 1, "53": 1}, 1) == {"53": 1, "76": 0}


def test_proportional_example_is_exact():
    result = seats({"11": 50, "53": 30, "76": 20}, 100)
    assert result == {"11": 50, "53": 30, "76": 20}


@pytest.mark.parametrize("total", [0, -5, 10_001])
def test_total_outside_the_sane_range_is_refused_in_french(total):
    with pytest.raises(ApportionmentError, match="postes"):
        largest_remainder({"53": 10}, total)


def test_no_births_at_all_is_refused():
    with pytest.raises(ApportionmentError, match="total des naissances est nul"):
        largest_remainder({"53": 0, "76": 0}, 100)


def test_negative_births_are_refused():
    with pytest.raises(ApportionmentError, match="positifs"):
        largest_remainder({"53": -1, "76": 10}, 100)
