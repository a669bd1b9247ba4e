"""Generated cases for the classes of issue 11 item 12, against independent oracles.

Exact numbers: whether two fractions are equal is decided by integer arithmetic
(a*d == b*c), never by the checker. Written forms: reordering the terms and
factors of a random sum of products keeps its form; changing one exponent into
a division (x^-k for 1/x^k) or one literal into a decimal does not.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.mathcore.checks import check_answer
from shared.mathcore.checks.formtree import written_form

SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
BIG = st.integers(min_value=1, max_value=10**12)


@settings(max_examples=60, **SETTINGS)
@given(a=BIG, b=BIG, c=BIG, d=BIG)
def test_fractions_are_equal_exactly_when_cross_products_are(a, b, c, d) -> None:
    outcome = check_answer(f"{a}/{b}", f"{c}/{d}")
    assert outcome.decided and outcome.correct == (a * d == b * c)


@settings(max_examples=40, **SETTINGS)
@given(a=BIG, b=BIG, k=st.integers(min_value=2, max_value=10**6))
def test_a_fraction_and_its_expansion_by_k_are_equivalent(a, b, k) -> None:
    assert check_answer(f"{a * k}/({b}*{k})", f"{a}/{b}").correct


@settings(max_examples=40, **SETTINGS)
@given(a=BIG, b=BIG)
def test_one_part_in_a_trillion_is_not_equal(a, b) -> None:
    # a/b and (a*10^13 + 1)/(b*10^13) differ by 1/(b*10^13): tiny, never 0.
    assert not check_answer(f"({a}*10^13 + 1)/({b}*10^13)", f"{a}/{b}").correct


TERMS = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=9),
        st.lists(st.sampled_from("abcxyz"), min_size=1, max_size=3),
        st.integers(min_value=1, max_value=4),
    ),
    min_size=1,
    max_size=4,
)


def _text(terms, *, flip: bool = False, reverse: bool = False) -> str:
    out = []
    for coefficient, names, power in terms:
        factors = [str(coefficient), *names, f"{names[0]}^{power}"]
        if flip:
            factors = factors[::-1]
        out.append("*".join(factors))
    return " + ".join(out[::-1] if reverse else out)


@settings(max_examples=80, **SETTINGS)
@given(terms=TERMS)
def test_order_of_terms_and_factors_keeps_the_form(terms) -> None:
    assert written_form(_text(terms)) == written_form(_text(terms, flip=True, reverse=True))


@settings(max_examples=80, **SETTINGS)
@given(terms=TERMS)
def test_a_negative_power_is_not_a_division(terms) -> None:
    coefficient, names, power = terms[0]
    as_power = _text(terms) + f" + {names[0]}^(-{power})"
    as_division = _text(terms) + f" + 1/{names[0]}^{power}"
    assert written_form(as_power) != written_form(as_division)
    assert written_form(_text(terms) + f" + {coefficient}.0") != written_form(
        _text(terms) + f" + {coefficient}"
    )
